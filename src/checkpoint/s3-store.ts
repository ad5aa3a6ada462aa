import { inspect } from 'node:util';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

type Sdk = typeof import('@aws-sdk/client-s3');
import { assertSafeName, assertSafePath, assertSafePrefix, type CheckpointStore } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix under which the checkpoint root lives (`jobs/orders`); a trailing `/` is added. */
  prefix?: string;
  /** S3-compatible endpoint (`http://127.0.0.1:4568`); default: the SDK's (env `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  /** Default: the SDK's (env `AWS_REGION`, profile), else `us-east-1`. */
  region?: string;
  /** Default: the SDK's provider chain (env `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profile, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Attempts per request, including the first (SDK standard retry with backoff); a read whose body breaks off is retried as often. Default 5. */
  maxAttempts?: number;
  /** Keys per ListObjectsV2 page (S3's default and maximum: 1000). */
  listPageSize?: number;
  /** Use this client instead of building one (the other client options are then ignored). */
  client?: S3Client;
}

/** The parts of an SDK error worth keeping: no request, headers or signature (they name the access key). */
export interface S3ErrorSummary {
  name: string;
  message: string;
  code?: string;
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

function summarize(cause: unknown): S3ErrorSummary {
  const c = (cause ?? {}) as {
    name?: string;
    message?: string;
    Code?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number };
  };
  const out: S3ErrorSummary = { name: c.name ?? 'Error', message: c.message ?? String(cause) };
  const code = c.Code ?? c.code;
  if (code !== undefined) out.code = code;
  const m = c.$metadata;
  if (m?.httpStatusCode !== undefined) out.httpStatusCode = m.httpStatusCode;
  if (m?.requestId !== undefined) out.requestId = m.requestId;
  if (m?.attempts !== undefined) out.attempts = m.attempts;
  if (m?.totalRetryDelay !== undefined) out.totalRetryDelay = m.totalRetryDelay;
  return out;
}

/**
 * An S3 operation that failed, named by operation and key. `cause` is a summary of the SDK error
 * (name, message, code, status, attempts), not the SDK error itself, whose `$response` carries the
 * signed request headers.
 */
export class S3StoreError extends Error {
  override name = 'S3StoreError';
  declare readonly cause: S3ErrorSummary;
  constructor(
    readonly operation: string,
    readonly key: string,
    cause: unknown,
  ) {
    const c = summarize(cause);
    const detail = [c.httpStatusCode ? `HTTP ${c.httpStatusCode}` : '', c.attempts ? `${c.attempts} attempts` : ''].filter(Boolean).join(', ');
    super(`S3 ${operation} ${key} failed: ${c.name}${detail ? ` (${detail})` : ''}: ${c.message}`, { cause: c });
  }
}

/** A missing key (not a missing bucket, which is a configuration error and must surface). */
function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const code = err?.Code ?? err?.name;
  if (code === 'NoSuchBucket') return false;
  return code === 'NoSuchKey' || code === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

/**
 * Checkpoint files as S3 objects under `s3://bucket/prefix/`: each file is one PutObject, which
 * S3 makes visible atomically. Credentials live only inside the SDK client; `url`, `toString` and
 * `util.inspect` never show them.
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly url: string;
  #client: S3Client | undefined;
  readonly #config: S3ClientConfig | undefined;
  /** A store made by `parent()` uses the client of the store it came from. */
  #via: S3CheckpointStore | undefined;
  #sdk: Promise<Sdk> | undefined;
  readonly #pageSize: number | undefined;
  readonly #maxAttempts: number;

  constructor(opts: S3StoreOptions) {
    if (!opts.bucket) throw new Error('S3 checkpoint store: bucket is required');
    this.bucket = opts.bucket;
    let prefix = (opts.prefix ?? '').replace(/^\/+/, '');
    if (prefix !== '') assertSafeName(prefix.replace(/\/$/, ''), 'S3 prefix');
    if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
    this.prefix = prefix;
    this.url = `s3://${this.bucket}/${this.prefix}`;
    this.#pageSize = opts.listPageSize;
    this.#maxAttempts = opts.maxAttempts ?? 5;
    if (opts.client) {
      this.#client = opts.client;
    } else {
      const config: S3ClientConfig = {
        maxAttempts: this.#maxAttempts,
        // Recent SDKs add CRC32 checksums to every request by default, which some S3-compatible
        // servers reject; the sha256 in each commit marker already covers integrity end to end.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // The SDK sets no timeout: a connection the server stopped answering would hang a write
        // (and a task handover waiting behind it) for ever. Silent this long: fail, and retry.
        requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
      };
      if (opts.endpoint !== undefined) config.endpoint = opts.endpoint;
      if (opts.forcePathStyle !== undefined) config.forcePathStyle = opts.forcePathStyle;
      if (opts.credentials !== undefined) config.credentials = { ...opts.credentials };
      config.region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      this.#config = config;
    }
  }

  /** The SDK loads on first use, so importing streamframe does not pay for it (about 0.2 s). */
  async #s3(): Promise<{ sdk: Sdk; client: S3Client }> {
    if (this.#via) return this.#via.#s3();
    const sdk = await (this.#sdk ??= import('@aws-sdk/client-s3'));
    this.#client ??= new sdk.S3Client(this.#config!);
    return { sdk, client: this.#client };
  }

  private key(path: string): string {
    assertSafePath(path);
    return this.prefix + path;
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const Key = this.key(path);
    try {
      const { sdk, client } = await this.#s3();
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.byteLength }));
    } catch (e) {
      throw new S3StoreError('PutObject', `s3://${this.bucket}/${Key}`, e);
    }
  }

  /**
   * The SDK retries a request that fails, not a body that breaks off while it is read: such a read
   * is retried here (up to maxAttempts times), and one that keeps failing is a store error, never
   * a short file (the loader would take that for a damaged checkpoint).
   */
  async get(path: string): Promise<Uint8Array | undefined> {
    const Key = this.key(path);
    const url = `s3://${this.bucket}/${Key}`;
    for (let attempt = 1; ; attempt++) {
      let body: { transformToByteArray(): Promise<Uint8Array> } | undefined;
      try {
        const { sdk, client } = await this.#s3();
        body = (await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }))).Body;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw new S3StoreError('GetObject', url, e);
      }
      if (!body) return new Uint8Array(0);
      try {
        return await body.transformToByteArray();
      } catch (e) {
        if (attempt >= this.#maxAttempts) throw new S3StoreError('GetObject', url, { ...summarize(e), $metadata: { attempts: attempt } });
      }
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix);
    const Prefix = this.prefix + prefix;
    const out: string[] = [];
    let ContinuationToken: string | undefined;
    try {
      do {
        const { sdk, client } = await this.#s3();
        const res = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken, MaxKeys: this.#pageSize }));
        for (const obj of res.Contents ?? []) {
          if (obj.Key !== undefined && obj.Key.startsWith(this.prefix)) out.push(obj.Key.slice(this.prefix.length));
        }
        ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (e) {
      throw new S3StoreError('ListObjectsV2', `s3://${this.bucket}/${Prefix}`, e);
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    const Key = this.key(path);
    try {
      const { sdk, client } = await this.#s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw new S3StoreError('DeleteObject', `s3://${this.bucket}/${Key}`, e);
    }
  }

  parent(): S3CheckpointStore | undefined {
    if (this.prefix === '') return undefined;
    const up = new S3CheckpointStore({ bucket: this.bucket, prefix: this.prefix.slice(0, -1).split('/').slice(0, -1).join('/') });
    up.#via = this;
    return up;
  }

  /** Releases the HTTP connections of a client this store created. */
  destroy(): void {
    if (this.#config !== undefined) this.#client?.destroy();
  }

  toString(): string {
    return `S3CheckpointStore(${this.url})`;
  }

  toJSON(): { url: string } {
    return { url: this.url };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
