import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FsCheckpointStore } from './fs-store.js';
import { OpenDalCheckpointStore, openDalLoads } from './opendal-store.js';
import { OPENDAL_SCHEMES, openDalTarget, type StoreOptionValue } from './opendal-url.js';
import { S3CheckpointStore, type S3StoreOptions } from './s3-store.js';
import type { CheckpointStore } from './store.js';

/**
 * Options for the store a URL names, passed through to its backend (fsspec's `storage_options`):
 * `endpoint`, `region`, `credentials`, `forcePathStyle`, `maxAttempts` as for S3, and any of
 * OpenDAL's own option names for its service (`account_name`, `account_key`, `sas_token`,
 * `credential`, …), plus `connection_string` for Azure Blob. Credentials given here are never printed.
 */
export interface OpenStoreOptions extends Omit<S3StoreOptions, 'bucket' | 'prefix'> {
  [option: string]: StoreOptionValue;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `scheme://user:password@host…`: the user-info part of a URL. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** The URL with any user-info (`key:secret@`) replaced by `***@`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * A store from a target: an existing store is returned as is; a URL or a plain path gives an
 * OpenDAL store: `s3://bucket/prefix` (endpoint from `opts.endpoint`, else env
 * `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`), `gs://`, `azblob://`, `abfs://`, `oss://`,
 * `cos://`, `obs://`, `webdav://`, `webhdfs://`, `memory://`, and `file:` URLs or paths. OpenDAL
 * serves files and S3 by default because it measured as fast or faster (bench/RESULTS.md); where
 * its native binding cannot load, and for an S3 `client` of your own, the native
 * `FsCheckpointStore` and `S3CheckpointStore` serve them instead.
 */
export function openStore(target: string | CheckpointStore, opts: OpenStoreOptions = {}): CheckpointStore {
  if (typeof target !== 'string') return target;
  if (target === '') throw new Error('openStore: empty checkpoint target');
  if (USERINFO.test(target)) {
    throw new Error(
      `openStore: credentials in a checkpoint store URL are refused (${redactUrl(target)}); ` +
        'pass them in storeOptions or through the platform\'s environment variables',
    );
  }
  const url = URL_SCHEME.test(target) || /^file:/i.test(target) ? target : pathToFileURL(resolve(target)).href;
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  const native = /^file:/i.test(url) || s3 !== null;
  if (native && (opts.client !== undefined || !openDalLoads())) {
    if (!s3) return new FsCheckpointStore(fileURLToPath(url));
    const endpoint = opts.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || undefined) ?? (process.env.AWS_ENDPOINT_URL || undefined);
    return new S3CheckpointStore({
      ...opts,
      bucket: s3[1],
      prefix: s3[2],
      endpoint,
      forcePathStyle: opts.forcePathStyle ?? (endpoint !== undefined ? true : undefined),
    });
  }
  const openDal = openDalTarget(url, opts);
  if (openDal) return new OpenDalCheckpointStore(openDal);
  throw new Error(`openStore: unsupported checkpoint URL scheme in ${redactUrl(target)} (supported: file:, ${OPENDAL_SCHEMES.map((s) => `${s}://`).join(', ')})`);
}
