import { mapLimit } from './concurrency.js';
import { CheckpointWriteError } from './errors.js';
import { EncodedState, encodeStateBytes } from './json-state.js';
import { isArrowTable } from './arrow-state.js';
import { pipelineFingerprint } from './fingerprint.js';
import { classifyPath, commitPath, COMMITS_DIR, DATA_DIR, dataPath, jsonBytes, METADATA_DIR, metadataPath, sha256Hex } from './layout.js';
import { tableToParquet, type ParquetWriteOptions } from './parquet.js';
import { assertSafeName, assertStorableIds, type CheckpointStore } from './store.js';
import type { WriterLease } from './writer-lock.js';
import { schemaInfo, type CheckpointMetadata, type CommitMarker, type FileDigest, type NodeIndexEntry, type NodeState, type PipelineInfo } from './types.js';

export interface CheckpointInput {
  job: string;
  /** Source positions (the next element to read), JSON-able. */
  sources: Record<string, unknown>;
  /** State of every stateful node: JSON-able data or an Arrow table. */
  nodes: Record<string, { kind: string; state: NodeState }>;
  pipeline: PipelineInfo;
}

export interface WriteCheckpointOptions {
  /** Files written at once; default 8. */
  concurrency?: number;
  parquet?: ParquetWriteOptions;
  /** Clock for `createdAt`; default `new Date()`. */
  now?: () => Date;
  /**
   * The writer's lease (`acquireWriter`): checked before the checkpoint is numbered (a fenced
   * writer writes nothing) and right before the commit marker, which records its epoch.
   */
  lease?: WriterLease;
}

/** The highest checkpoint number present in the store, committed or not (0 when empty). */
export async function highestCheckpointNumber(store: CheckpointStore): Promise<number> {
  const lists = await Promise.all([store.list(METADATA_DIR), store.list(DATA_DIR), store.list(COMMITS_DIR)]);
  let max = 0;
  for (const list of lists) {
    for (const p of list) {
      const c = classifyPath(p);
      if (c && c.checkpoint > max) max = c.checkpoint;
    }
  }
  return max;
}

function encodeJsonState(state: unknown): Uint8Array {
  return state instanceof EncodedState ? state.bytes : encodeStateBytes(state);
}

/**
 * Writes checkpoint N = 1 + the highest number present: the node state files under `data/N/`,
 * then `metadata/N.json`, then — only once all of those are stored — `commits/N.json`.
 * Returns N. If anything fails the commit marker is not written and the error is thrown.
 */
export async function writeCheckpoint(store: CheckpointStore, input: CheckpointInput, opts: WriteCheckpointOptions = {}): Promise<number> {
  assertSafeName(input.job, 'job name');
  const nodeIds = Object.keys(input.nodes);
  assertStorableIds(nodeIds);
  for (const id of nodeIds) {
    if (typeof input.nodes[id]?.kind !== 'string') throw new Error(`writeCheckpoint: node "${id}" has no kind`);
  }
  const fingerprint = input.pipeline.fingerprint ?? pipelineFingerprint(input.pipeline.description);
  const concurrency = opts.concurrency ?? 8;

  await opts.lease?.check();
  const n = (await highestCheckpointNumber(store)) + 1;
  const files: Record<string, FileDigest> = Object.create(null);
  const index: Record<string, NodeIndexEntry> = Object.create(null);

  // Encoding is synchronous CPU work; each file is encoded just before its upload starts so
  // uploads overlap with encoding the next one, and memory holds at most `concurrency` files.
  await mapLimit(nodeIds, concurrency, async (id) => {
    const { kind, state } = input.nodes[id];
    const table = isArrowTable(state);
    const file = dataPath(n, id, table ? 'parquet' : 'json');
    try {
      const bytes = table ? tableToParquet(state, opts.parquet) : encodeJsonState(state);
      index[id] = table ? { kind, file, rows: state.numRows, schema: schemaInfo(state.schema) } : { kind, file };
      const [sha256] = await Promise.all([sha256Hex(bytes), store.put(file, bytes)]);
      files[file] = { bytes: bytes.byteLength, sha256 };
    } catch (e) {
      throw new CheckpointWriteError(n, file, id, store.url, e);
    }
  });

  const metadata: CheckpointMetadata = {
    version: 1,
    checkpoint: n,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    job: input.job,
    sources: input.sources,
    nodes: Object.fromEntries(nodeIds.map((id) => [id, index[id]])),
  };
  const metaBytes = jsonBytes(metadata, true);
  await putNamed(store, n, metadataPath(n), metaBytes);
  const sortedFiles: Record<string, FileDigest> = {};
  for (const f of Object.keys(files).sort()) sortedFiles[f] = files[f];
  sortedFiles[metadataPath(n)] = { bytes: metaBytes.byteLength, sha256: await sha256Hex(metaBytes) };

  const commit: CommitMarker = { checkpoint: n, fingerprint, pipeline: input.pipeline.description, files: sortedFiles };
  if (opts.lease) {
    commit.writer = { epoch: opts.lease.epoch, holder: opts.lease.holder };
    await opts.lease.check();
  }
  await putNamed(store, n, commitPath(n), jsonBytes(commit, true));
  return n;
}

async function putNamed(store: CheckpointStore, n: number, file: string, bytes: Uint8Array): Promise<void> {
  try {
    await store.put(file, bytes);
  } catch (e) {
    throw new CheckpointWriteError(n, file, undefined, store.url, e);
  }
}
