/**
 * The storage abstraction under the checkpoint layout: a flat namespace of relative posix paths
 * (`metadata/3.json`, `data/3/totals.parquet`) holding whole files. Backends: filesystem, S3.
 */
export interface CheckpointStore {
  /** Where the store points, for messages (`file:///…`, `s3://bucket/prefix`); never holds secrets. */
  readonly url: string;
  /** Writes a whole file atomically: readers see either the old content or the new, never a part. */
  put(path: string, data: Uint8Array): Promise<void>;
  /** The file's content, or `undefined` when it does not exist. */
  get(path: string): Promise<Uint8Array | undefined>;
  /** Every path that starts with `prefix` (a plain string prefix, as on S3), in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** Removes a file; removing a missing file is not an error. */
  delete(path: string): Promise<void>;
  /**
   * The store one level up (parent directory, shorter prefix), or undefined at the top. Optional:
   * it lets a job refuse a store that lies inside another job's store.
   */
  parent?(): CheckpointStore | undefined;
}

/** A path or name that would escape the store root or cannot be stored. */
export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
  constructor(
    readonly value: string,
    readonly problem: string,
    what = 'path',
  ) {
    super(`Unsafe checkpoint ${what} ${JSON.stringify(value)}: ${problem}`);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function pathProblem(value: unknown, allowEmpty: boolean): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${typeof value}`;
  if (value.length === 0) return allowEmpty ? undefined : 'must not be empty';
  if (value.includes('\0')) return 'must not contain NUL';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (value.includes('\\')) return 'must not contain a backslash';
  if (value.startsWith('/')) return 'must be relative (starts with "/")';
  if (/^[A-Za-z]:(\/|$)/.test(value)) return 'must be relative (has a drive letter)';
  const segments = value.split('/');
  for (const s of segments) {
    if (s === '') return 'must not contain an empty segment ("//" or a trailing "/")';
    if (s === '..') return 'must not contain a ".." segment';
    if (s === '.') return 'must not contain a "." segment';
  }
  return undefined;
}

/** Throws `UnsafePathError` unless `path` is a non-empty relative posix path that stays inside the root. */
export function assertSafePath(path: string): void {
  const problem = pathProblem(path, false);
  if (problem !== undefined) throw new UnsafePathError(String(path), problem, 'path');
}

/** Same rule for a `list` prefix, which may be empty or end with `/`. */
export function assertSafePrefix(prefix: string): void {
  if (prefix === '') return;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = pathProblem(trimmed, false);
  if (problem !== undefined) throw new UnsafePathError(prefix, problem, 'prefix');
}

/**
 * Job names and node ids end up in file paths, so they follow the path rule: no `..` or `.`
 * segments, not absolute, no backslash, no empty segment, no NUL or control characters.
 * `what` names the thing in the error ("node id", "job name").
 */
export function assertSafeName(name: string, what = 'name'): void {
  const problem = pathProblem(name, false);
  if (problem !== undefined) throw new UnsafePathError(String(name), problem, what);
}

/** Longest node id, in UTF-8 bytes: `data/<N>/<id>.parquet` under an S3 prefix stays within a 1024-byte key. */
export const MAX_ID_BYTES = 512;
/** Longest segment of an id: a file name of at most 255 bytes, with room for the temporary name's prefix. */
export const MAX_SEGMENT_BYTES = 200;

/**
 * Node ids become state files `data/<N>/<id>.json|.parquet`; refuses, before a job starts, ids a
 * store cannot hold (too long) and ids whose files collide (`a` is stored as `a.json`, which
 * `a.json/b` needs as a directory).
 */
export function assertStorableIds(ids: readonly string[]): void {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  for (const id of ids) {
    assertSafeName(id, 'node id');
    if (bytes(id) > MAX_ID_BYTES) throw new UnsafePathError(id, `is ${bytes(id)} bytes long; at most ${MAX_ID_BYTES} fit a checkpoint path`, 'node id');
    const long = id.split('/').find((s) => bytes(s) > MAX_SEGMENT_BYTES);
    if (long !== undefined) throw new UnsafePathError(id, `has a segment of ${bytes(long)} bytes; at most ${MAX_SEGMENT_BYTES} fit a file name`, 'node id');
  }
  const files = new Map<string, string>();
  for (const id of ids) for (const ext of ['.json', '.parquet']) files.set(id + ext, id);
  for (const id of ids) {
    const segments = id.split('/');
    for (let i = 1; i < segments.length; i++) {
      const other = files.get(segments.slice(0, i).join('/'));
      if (other !== undefined) {
        throw new UnsafePathError(id, `collides with node id ${JSON.stringify(other)}, whose state file ${JSON.stringify(segments.slice(0, i).join('/'))} would have to be a directory`, 'node id');
      }
    }
  }
}
