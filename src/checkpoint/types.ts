import type { Schema, Table } from 'apache-arrow';

/** One field of an Arrow schema as recorded in `metadata/N.json`. */
export interface SchemaFieldInfo {
  name: string;
  type: string;
  nullable: boolean;
}

export interface NodeIndexEntry {
  kind: string;
  /** Relative path of the state file: `data/N/<nodeId>.parquet` or `.json`. */
  file: string;
  rows?: number;
  schema?: SchemaFieldInfo[];
}

/** `metadata/N.json`. */
export interface CheckpointMetadata {
  version: 1;
  checkpoint: number;
  createdAt: string;
  job: string;
  sources: Record<string, unknown>;
  nodes: Record<string, NodeIndexEntry>;
}

export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** `commits/N.json`, written last. */
export interface CommitMarker {
  checkpoint: number;
  fingerprint: string;
  pipeline: unknown;
  files: Record<string, FileDigest>;
  /** The leased writer that committed it (absent for writes without a lease); see writer-lock.ts. */
  writer?: { epoch: number; holder: string };
}

/** A node's state: JSON-able data, or an Arrow table (stored as Parquet). */
export type NodeState = unknown | Table;

export interface PipelineInfo {
  /** The pipeline description (nodes, kinds, state-relevant parameters, edges). */
  description: unknown;
  /** sha256 of the description; computed with `pipelineFingerprint` when omitted. */
  fingerprint?: string;
}

/** One problem found with a stored file. */
export interface FileProblem {
  checkpoint: number;
  file: string;
  reason: string;
}

export function schemaInfo(schema: Schema): SchemaFieldInfo[] {
  return schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
}
