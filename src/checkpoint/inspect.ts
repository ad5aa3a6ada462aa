import type { Table } from 'apache-arrow';
import { mapLimit } from './concurrency.js';
import { decodeState } from './json-state.js';
import { commitPath, metadataPath, parseJsonBytes, sha256Hex } from './layout.js';
import { parquetToTable } from './parquet.js';
import { assertSafePath, type CheckpointStore } from './store.js';
import type { CheckpointMetadata, CommitMarker, FileProblem } from './types.js';

export interface InspectResult {
  checkpoint: number;
  problems: FileProblem[];
  commit?: CommitMarker;
  metadata?: CheckpointMetadata;
  /** Decoded node states (only with `decode`, and only when there are no problems). */
  states?: Record<string, unknown | Table>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkCommitShape(v: unknown, n: number): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (v.checkpoint !== n) return `names checkpoint ${JSON.stringify(v.checkpoint)}, expected ${n}`;
  if (typeof v.fingerprint !== 'string') return 'has no fingerprint';
  if (!isObject(v.files)) return 'has no files map';
  for (const [f, d] of Object.entries(v.files)) {
    try {
      assertSafePath(f);
    } catch (e) {
      return (e as Error).message;
    }
    if (!isObject(d) || !Number.isSafeInteger(d.bytes) || typeof d.sha256 !== 'string') return `has a malformed entry for ${f}`;
  }
  return undefined;
}

function checkMetadataShape(v: unknown, n: number): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (v.version !== 1) return `unsupported version ${JSON.stringify(v.version)}`;
  if (v.checkpoint !== n) return `names checkpoint ${JSON.stringify(v.checkpoint)}, expected ${n}`;
  if (!isObject(v.sources)) return 'has no sources map';
  if (!isObject(v.nodes)) return 'has no nodes map';
  for (const [id, e] of Object.entries(v.nodes)) {
    if (!isObject(e) || typeof e.kind !== 'string' || typeof e.file !== 'string') return `has a malformed entry for node "${id}"`;
  }
  return undefined;
}

/**
 * Checks one checkpoint against its commit marker: the marker parses and names N, every listed
 * file exists with the recorded size and sha256, the metadata parses, names N and lists only files
 * the marker covers; with `decode`, every state file decodes (Parquet / JSON). Every problem is
 * reported by file name; nothing throws for damage (store errors do propagate).
 */
export async function inspectCheckpoint(
  store: CheckpointStore,
  n: number,
  opts: { decode?: boolean; concurrency?: number } = {},
): Promise<InspectResult> {
  const problems: FileProblem[] = [];
  const problem = (file: string, reason: string): InspectResult => {
    problems.push({ checkpoint: n, file, reason });
    return { checkpoint: n, problems };
  };
  const cPath = commitPath(n);
  const mPath = metadataPath(n);

  const commitBytes = await store.get(cPath);
  if (commitBytes === undefined) return problem(cPath, 'missing (not committed)');
  let commitJson: unknown;
  try {
    commitJson = parseJsonBytes(commitBytes);
  } catch (e) {
    return problem(cPath, `invalid JSON: ${(e as Error).message}`);
  }
  const commitShape = checkCommitShape(commitJson, n);
  if (commitShape) return problem(cPath, commitShape);
  const commit = commitJson as CommitMarker;
  if (!(mPath in commit.files)) problems.push({ checkpoint: n, file: mPath, reason: 'not listed in the commit marker' });

  // Fetch and check every listed file (size, checksum), keeping the bytes for decoding.
  const entries = Object.entries(commit.files);
  const contents = new Map<string, Uint8Array>();
  // Parquet decoded as soon as it is read; kept only if the checksum matches.
  const tables = new Map<string, Table | Error>();
  await mapLimit(entries, opts.concurrency ?? 8, async ([file, digest]) => {
    const data = await store.get(file);
    if (data === undefined) {
      problems.push({ checkpoint: n, file, reason: 'missing' });
    } else if (data.byteLength !== digest.bytes) {
      problems.push({ checkpoint: n, file, reason: `size mismatch: ${data.byteLength} bytes, commit marker says ${digest.bytes}` });
    } else {
      const sha256 = sha256Hex(data);
      const table = opts.decode && file.endsWith('.parquet') ? decodeParquet(data) : undefined;
      if ((await sha256) !== digest.sha256) {
        problems.push({ checkpoint: n, file, reason: 'checksum mismatch (sha256 differs from the commit marker)' });
      } else {
        contents.set(file, data);
        if (table !== undefined) tables.set(file, table);
      }
    }
  });

  let metadata: CheckpointMetadata | undefined;
  const metaBytes = contents.get(mPath);
  if (metaBytes !== undefined) {
    let metaJson: unknown;
    try {
      metaJson = parseJsonBytes(metaBytes);
      const shape = checkMetadataShape(metaJson, n);
      if (shape) problems.push({ checkpoint: n, file: mPath, reason: shape });
      else metadata = metaJson as CheckpointMetadata;
    } catch (e) {
      problems.push({ checkpoint: n, file: mPath, reason: `invalid JSON: ${(e as Error).message}` });
    }
  }

  let states: Record<string, unknown | Table> | undefined;
  if (metadata) {
    const decoded: Record<string, unknown | Table> = Object.create(null);
    for (const [id, entry] of Object.entries(metadata.nodes)) {
      if (!entry.file.startsWith(`data/${n}/`) || !/\.(parquet|json)$/.test(entry.file)) {
        problems.push({ checkpoint: n, file: mPath, reason: `node "${id}" points outside data/${n}/: ${JSON.stringify(entry.file)}` });
        continue;
      }
      if (!(entry.file in commit.files)) {
        problems.push({ checkpoint: n, file: entry.file, reason: `state of node "${id}" is not listed in the commit marker` });
        continue;
      }
      const data = contents.get(entry.file);
      if (data === undefined || !opts.decode) continue; // already reported, or not decoding
      try {
        if (entry.file.endsWith('.parquet')) {
          const table = tables.get(entry.file) ?? decodeParquet(data);
          if (table instanceof Error) throw table;
          if (entry.rows !== undefined && table.numRows !== entry.rows) {
            problems.push({ checkpoint: n, file: entry.file, reason: `has ${table.numRows} rows, metadata says ${entry.rows}` });
            continue;
          }
          decoded[id] = table;
        } else {
          decoded[id] = decodeState(parseJsonBytes(data));
        }
      } catch (e) {
        const what = entry.file.endsWith('.parquet') ? 'Parquet decode failed' : 'invalid JSON';
        problems.push({ checkpoint: n, file: entry.file, reason: `${what}: ${(e as Error).message ?? String(e)}` });
      }
    }
    if (problems.length === 0 && opts.decode) states = decoded;
  }
  problems.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  return { checkpoint: n, problems, commit, metadata, states };
}

function decodeParquet(data: Uint8Array): Table | Error {
  try {
    return parquetToTable(data);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
