import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import type { Operator, RetryLayer } from 'opendal';
import { fsyncDir } from './fs-store.js';
import { assertSafePath, assertSafePrefix, type CheckpointStore } from './store.js';

/** The package's runtime shape (its typings put RetryLayer at the top level; 0.47 exports it under `layers`). */
interface OpenDal {
  Operator: typeof Operator;
  layers: { RetryLayer: typeof RetryLayer };
}

export interface OpenDalStoreOptions {
  /** The OpenDAL service: `fs`, `s3`, `gcs`, `azblob`, `azdls`, `oss`, `cos`, `obs`, `webdav`, `webhdfs`, `memory`. */
  service: string;
  /** The service's configuration under OpenDAL's names (`bucket`, `container`, `root`, `endpoint`, `account_key`, …). */
  config: Record<string, string>;
  /** Where the store points, for messages (`azblob://container/prefix/`); never holds secrets. */
  url: string;
  /** Attempts per operation, including the first, on errors OpenDAL calls temporary (503, dropped connections). Default 5. */
  maxAttempts?: number;
}

/** Where `fs` writes a file before renaming it into place (inside the root, so the rename stays on one filesystem). */
const FS_TMP_DIR = '.sf-tmp/';
/** Options whose values are secrets: never in messages. */
const SECRET_OPTION = /key|secret|token|password|credential|sas|signature/i;

/** The opendal package could not be loaded (no native binary for this platform, or a glibc too old for it). */
export class OpenDalUnavailableError extends Error {
  override name = 'OpenDalUnavailableError';
  constructor(readonly url: string, cause: unknown) {
    super(
      `checkpoint store ${url} needs the opendal package (0.47.x), which failed to load on ${process.platform}/${process.arch}: ` +
        `${(cause as Error)?.message ?? String(cause)}. file: and s3:// stores work without it.`,
    );
  }
}

/** An OpenDAL operation that failed, named by operation and path; `kind` is OpenDAL's error kind (`NotFound`, `PermissionDenied`, …). */
export class OpenDalStoreError extends Error {
  override name = 'OpenDalStoreError';
  constructor(
    readonly operation: string,
    readonly path: string,
    readonly kind: string,
    readonly temporary: boolean,
    detail: string,
  ) {
    super(`OpenDAL ${operation} ${path} failed: ${detail}`);
  }
}

let loaded: OpenDal | undefined;
/** Loads the native binding once; a load failure is reported by the store that needed it. */
function openDal(url: string): OpenDal {
  try {
    return (loaded ??= createRequire(import.meta.url)('opendal') as OpenDal);
  } catch (e) {
    throw new OpenDalUnavailableError(url, e);
  }
}

/** Whether the native binding loads here (openStore falls back to the native file and S3 stores where it does not). */
export function openDalLoads(): boolean {
  try {
    openDal('');
    return true;
  } catch {
    return false;
  }
}

/** OpenDAL messages start `Kind (permanent|temporary|persistent) at …`. */
function errorKind(message: string): { kind: string; temporary: boolean } {
  const m = /^(\w+) \((permanent|temporary|persistent)\)/.exec(message);
  return { kind: m?.[1] ?? 'Unexpected', temporary: m?.[2] === 'temporary' };
}

/** A missing file, not a missing bucket or container (a configuration error that must surface). */
function isMissingFile(message: string): boolean {
  return errorKind(message).kind === 'NotFound' && !/ContainerNotFound|NoSuchBucket|FilesystemNotFound|bucket does not exist/i.test(message);
}

/**
 * Checkpoint files through Apache OpenDAL, one API over object stores (S3, GCS, Azure Blob, OSS,
 * COS, OBS), Azure Data Lake, WebDAV, WebHDFS, local files and memory. Each file is one whole
 * write, which object stores make visible atomically; on `fs` it goes to a temporary file that is
 * fsynced and renamed, and the directory is fsynced here. The configuration, credentials
 * included, stays in a private field; `url`, `toString`, `toJSON`, `util.inspect` and errors never
 * show a secret option's value.
 */
export class OpenDalCheckpointStore implements CheckpointStore {
  readonly service: string;
  readonly url: string;
  readonly #config: Record<string, string>;
  readonly #maxAttempts: number;
  #op: { raw: Operator; retrying: Operator } | undefined;

  constructor(opts: OpenDalStoreOptions) {
    this.service = opts.service;
    this.url = opts.url;
    this.#config = { ...opts.config };
    if (this.service === 'fs') {
      if (!this.#config.root) throw new Error(`checkpoint store ${this.url}: fs needs a root`);
      this.#config.atomic_write_dir ??= join(this.#config.root, FS_TMP_DIR);
    }
    this.#maxAttempts = opts.maxAttempts ?? 5;
  }

  /** The operator is built on first use, so a store for a missing binding fails when used, with the load error. */
  #operator(): { raw: Operator; retrying: Operator } {
    if (this.#op) return this.#op;
    const od = openDal(this.url);
    let op: Operator;
    try {
      op = new od.Operator(this.service, this.#config);
    } catch (e) {
      throw this.#error('open', '', e);
    }
    const retry = new od.layers.RetryLayer();
    retry.maxTimes = Math.max(0, this.#maxAttempts - 1);
    retry.jitter = true;
    retry.minDelay = 50;
    retry.maxDelay = 2000;
    return (this.#op = { raw: op, retrying: op.layer(retry.build()) });
  }

  #redact(text: string): string {
    let out = text.replace(/([?&](?:sig|se|X-Amz-Signature|X-Amz-Credential|X-Goog-Signature)=)[^&\s,}"]+/gi, '$1***');
    // Values under four characters are no real secret, and masking them would garble the text.
    for (const [k, v] of Object.entries(this.#config)) if (SECRET_OPTION.test(k) && v.length >= 4) out = out.split(v).join('***');
    return out;
  }

  #error(operation: string, path: string, e: unknown): OpenDalStoreError {
    const message = this.#redact((e as Error)?.message ?? String(e));
    const { kind, temporary } = errorKind(message);
    return new OpenDalStoreError(operation, `${this.url}${this.url.endsWith('/') ? '' : '/'}${path}`, kind, temporary, message);
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    assertSafePath(path);
    const op = this.#operator().retrying;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // The retry layer retries temporary failures (a whole-file write is idempotent). On fs a
    // concurrent delete may remove the emptied directory before the rename: write again then.
    for (let attempt = 1; ; attempt++) {
      try {
        await op.write(path, buf);
        break;
      } catch (e) {
        const err = this.#error('write', path, e);
        if (this.service !== 'fs' || err.kind !== 'NotFound' || attempt >= 3) throw err;
      }
    }
    if (this.service === 'fs') await fsyncDir(dirname(join(this.#config.root, ...path.split('/'))));
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    assertSafePath(path);
    const op = this.#operator().retrying;
    try {
      const buf = await op.read(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if (e instanceof Error && isMissingFile(e.message)) return undefined;
      throw this.#error('read', path, e);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix);
    // OpenDAL lists directories: list the deepest one the prefix names completely, then filter.
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const op = this.#operator().retrying;
    let entries: Array<{ path(): string }>;
    try {
      entries = await op.list(dir, { recursive: true });
    } catch (e) {
      if (e instanceof Error && isMissingFile(e.message)) return [];
      throw this.#error('list', prefix, e);
    }
    const out: string[] = [];
    for (const entry of entries) {
      const p = entry.path().replace(/^\/+/, '');
      if (p !== '' && !p.endsWith('/') && p.startsWith(prefix) && !p.startsWith(FS_TMP_DIR)) out.push(p);
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    assertSafePath(path);
    const { raw, retrying } = this.#operator();
    try {
      await retrying.delete(path);
    } catch (e) {
      if (e instanceof Error && isMissingFile(e.message)) return;
      throw this.#error('delete', path, e);
    }
    // Object stores have no directories; on fs, tidy the emptied data/<N>/. Best effort and
    // without retries: a directory that is not empty yet stays (OpenDAL calls that temporary).
    const cut = path.lastIndexOf('/');
    if (this.service === 'fs' && cut > 0) await raw.delete(path.slice(0, cut + 1)).catch(() => undefined);
  }

  /** The store one level up (parent directory, shorter prefix), or undefined at the top. */
  parent(): OpenDalCheckpointStore | undefined {
    const root = this.#config.root.replace(/\/+$/, '');
    if (root === '') return undefined;
    const config: Record<string, string> = { ...this.#config, root: root.slice(0, root.lastIndexOf('/') + 1) || '/' };
    delete config.atomic_write_dir;
    const url = this.url.replace(/\/?$/, '');
    const cut = url.lastIndexOf('/');
    const up = url.slice(0, this.service === 'fs' && url[cut - 1] !== '/' ? cut : cut + 1);
    return new OpenDalCheckpointStore({ service: this.service, config, url: up, maxAttempts: this.#maxAttempts });
  }

  toString(): string {
    return `OpenDalCheckpointStore(${this.url})`;
  }

  toJSON(): { url: string } {
    return { url: this.url };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
