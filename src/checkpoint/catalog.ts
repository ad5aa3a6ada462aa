import { inspectCheckpoint } from './inspect.js';
import { classifyPath, commitPath, DATA_DIR, METADATA_DIR, metadataPath, parseJsonBytes } from './layout.js';
import { commitOwnership } from './ownership.js';
import { nestedStoreDirs } from './store-marker.js';
import { mapLimit } from './concurrency.js';
import type { CheckpointStore } from './store.js';
import type { CommitMarker, CheckpointMetadata, FileProblem, SchemaFieldInfo } from './types.js';

export interface CheckpointFilesPresent {
  checkpoint: number;
  /** Its commit marker exists and counts. */
  committed: boolean;
  /** Its commit marker was written by a fenced writer (see writer-lock.ts): it does not count. */
  fenced: boolean;
  hasMetadata: boolean;
  /** Paths of the files present under `data/N/`. */
  dataFiles: string[];
}

/** Every checkpoint number that has any file, with what is present; ascending. */
export async function scanCheckpoints(store: CheckpointStore): Promise<CheckpointFilesPresent[]> {
  const [meta, data, ownership] = await Promise.all([store.list(METADATA_DIR), store.list(DATA_DIR), commitOwnership(store)]);
  const byN = new Map<number, CheckpointFilesPresent>();
  const entry = (n: number): CheckpointFilesPresent => {
    let e = byN.get(n);
    if (!e) byN.set(n, (e = { checkpoint: n, committed: false, fenced: false, hasMetadata: false, dataFiles: [] }));
    return e;
  };
  for (const n of ownership.counted) entry(n).committed = true;
  for (const n of ownership.fenced) entry(n).fenced = true;
  const nested = nestedStoreDirs(data);
  for (const p of [...meta, ...data.filter((f) => !nested.some((dir) => f.startsWith(dir)))]) {
    const c = classifyPath(p);
    if (!c) continue;
    const e = entry(c.checkpoint);
    if (c.role === 'metadata') e.hasMetadata = true;
    else e.dataFiles.push(p);
  }
  for (const e of byN.values()) e.dataFiles.sort();
  return [...byN.values()].sort((a, b) => a.checkpoint - b.checkpoint);
}

async function readJson(store: CheckpointStore, path: string): Promise<unknown> {
  const bytes = await store.get(path);
  if (bytes === undefined) return undefined;
  try {
    return parseJsonBytes(bytes);
  } catch {
    return undefined;
  }
}

export interface CheckpointListing {
  checkpoint: number;
  committed: boolean;
  /** From `metadata/N.json`, when it is present and readable. */
  createdAt?: string;
}

/** Checkpoint numbers present, ascending, whether each is committed, and when it was taken. */
export async function listCheckpoints(store: CheckpointStore): Promise<CheckpointListing[]> {
  const scan = await scanCheckpoints(store);
  return mapLimit(scan, 8, async (s) => {
    const out: CheckpointListing = { checkpoint: s.checkpoint, committed: s.committed };
    if (s.hasMetadata) {
      const m = (await readJson(store, metadataPath(s.checkpoint))) as Partial<CheckpointMetadata> | undefined;
      if (typeof m?.createdAt === 'string') out.createdAt = m.createdAt;
    }
    return out;
  });
}

export interface CheckpointVerification {
  checkpoint: number;
  committed: boolean;
  /** `uncommitted`: no commit marker (in progress, or abandoned by a crash) — not damage. */
  status: 'ok' | 'damaged' | 'uncommitted';
  problems: FileProblem[];
}

/** Full check of every checkpoint present: sizes, checksums, metadata, and that every state file decodes. */
export async function verifyCheckpoints(store: CheckpointStore): Promise<CheckpointVerification[]> {
  const scan = await scanCheckpoints(store);
  const out: CheckpointVerification[] = [];
  for (const s of scan) {
    if (!s.committed) {
      out.push({ checkpoint: s.checkpoint, committed: false, status: 'uncommitted', problems: [] });
      continue;
    }
    const r = await inspectCheckpoint(store, s.checkpoint, { decode: true });
    out.push({ checkpoint: s.checkpoint, committed: true, status: r.problems.length ? 'damaged' : 'ok', problems: r.problems });
  }
  return out;
}

export interface NodeSummary {
  id: string;
  kind: string;
  file: string;
  rows?: number;
  schema?: SchemaFieldInfo[];
  /** From the commit marker, else the stored size. */
  bytes?: number;
}

export interface CheckpointDescription {
  checkpoint: number;
  committed: boolean;
  createdAt?: string;
  job?: string;
  fingerprint?: string;
  sources: Record<string, unknown>;
  nodes: NodeSummary[];
  totalBytes: number;
}

/** Source positions and a per-node summary of checkpoint N (no checksum work; see `verifyCheckpoints`). */
export async function describeCheckpoint(store: CheckpointStore, n: number): Promise<CheckpointDescription> {
  const [commitJson, metaJson] = await Promise.all([readJson(store, commitPath(n)), readJson(store, metadataPath(n))]);
  const commit = commitJson as CommitMarker | undefined;
  const meta = metaJson as CheckpointMetadata | undefined;
  if (!meta || typeof meta !== 'object') {
    throw new Error(`describeCheckpoint: ${metadataPath(n)} in ${store.url} is missing or unreadable`);
  }
  const nodes: NodeSummary[] = await mapLimit(Object.entries(meta.nodes ?? {}), 8, async ([id, e]) => {
    let bytes = commit?.files?.[e.file]?.bytes;
    if (bytes === undefined) bytes = (await store.get(e.file))?.byteLength;
    const s: NodeSummary = { id, kind: e.kind, file: e.file };
    if (e.rows !== undefined) s.rows = e.rows;
    if (e.schema !== undefined) s.schema = e.schema;
    if (bytes !== undefined) s.bytes = bytes;
    return s;
  });
  const totalBytes = commit?.files ? Object.values(commit.files).reduce((a, f) => a + f.bytes, 0) : nodes.reduce((a, x) => a + (x.bytes ?? 0), 0);
  const out: CheckpointDescription = {
    checkpoint: n,
    committed: commit !== undefined,
    sources: meta.sources ?? {},
    nodes,
    totalBytes,
  };
  if (meta.createdAt) out.createdAt = meta.createdAt;
  if (meta.job) out.job = meta.job;
  if (commit?.fingerprint) out.fingerprint = commit.fingerprint;
  return out;
}
