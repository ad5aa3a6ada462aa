export { assertSafeName, assertSafePath, assertStorableIds, UnsafePathError, type CheckpointStore } from './store.js';
export { FsCheckpointStore } from './fs-store.js';
export { S3CheckpointStore, S3StoreError, type S3StoreOptions } from './s3-store.js';
export { OpenDalCheckpointStore, OpenDalStoreError, OpenDalUnavailableError, type OpenDalStoreOptions } from './opendal-store.js';
export { openStore, redactUrl, type OpenStoreOptions } from './open-store.js';
export { azureConnectionString, openDalStore, openDalTarget, OPENDAL_SCHEMES, type StoreOptionValue } from './opendal-url.js';
export { parquetToTable, tableToParquet, type ParquetCompression, type ParquetWriteOptions } from './parquet.js';
export { writeCheckpoint, highestCheckpointNumber, type CheckpointInput, type WriteCheckpointOptions } from './write.js';
export { loadCheckpoint, committedCheckpoints, type LoadCheckpointOptions, type LoadedCheckpoint } from './load.js';
export {
  describeCheckpoint,
  listCheckpoints,
  verifyCheckpoints,
  type CheckpointDescription,
  type CheckpointListing,
  type CheckpointVerification,
  type NodeSummary,
} from './catalog.js';
export { pruneCheckpoints, type PruneResult } from './prune.js';
export {
  acquireWriter,
  scopedStore,
  StoreLockedError,
  WriterFencedError,
  type AcquireWriterOptions,
  type WriterLease,
} from './writer-lock.js';
export { newestClaim, type WriterClaim } from './claims.js';
export { commitOwnership, type CommitOwnership } from './ownership.js';
export { claimStore, StoreOwnershipError } from './store-marker.js';
export { canonicalJson, fingerprintDiff, pipelineFingerprint, type PipelineDescription } from './fingerprint.js';
export { AllCheckpointsDamagedError, CheckpointDamagedError, CheckpointNotFoundError, CheckpointWriteError, PipelineChangedError } from './errors.js';
export { inspectCheckpoint, type InspectResult } from './inspect.js';
export { decodeState, EncodedState, encodeState, encodeStateBytes, StateEncodingError } from './json-state.js';
export { commitPath, dataPath, metadataPath } from './layout.js';
export type {
  CheckpointMetadata,
  CommitMarker,
  FileDigest,
  FileProblem,
  NodeIndexEntry,
  NodeState,
  PipelineInfo,
  SchemaFieldInfo,
} from './types.js';
export { listTasks, taskScope, TASKS_DIR } from './tasks.js';
