import { fileURLToPath } from 'node:url';
import { FsCheckpointStore } from './fs-store.js';
import { OpenDalCheckpointStore } from './opendal-store.js';
import { OPENDAL_SCHEMES, openDalTarget, type StoreOptionValue } from './opendal-url.js';
import { S3CheckpointStore, type S3StoreOptions } from './s3-store.js';
import type { CheckpointStore } from './store.js';

/**
 * Options for the store a URL names, passed through to its backend (fsspec's `storage_options`):
 * the S3 store's options for `s3://`; for OpenDAL's services, OpenDAL's own option names
 * (`account_name`, `account_key`, `sas_token`, `credential`, `endpoint`, …), plus
 * `connection_string` for Azure Blob. Credentials given here are never printed.
 */
export interface OpenStoreOptions extends Omit<S3StoreOptions, 'bucket' | 'prefix'> {
  [option: string]: StoreOptionValue;
}

/**
 * A store from a target: an existing store is returned as is; `s3://bucket/prefix` gives an S3
 * store (endpoint from `opts.endpoint`, else env `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`;
 * a custom endpoint implies path-style addressing unless `opts.forcePathStyle` says otherwise);
 * `gs://`, `azblob://`, `abfs://`, `oss://`, `cos://`, `obs://`, `webdav://`, `webhdfs://` and
 * `memory://` give an OpenDAL store; `file://…` or a plain path gives a filesystem store.
 */
export function openStore(target: string | CheckpointStore, opts: OpenStoreOptions = {}): CheckpointStore {
  if (typeof target !== 'string') return target;
  if (target === '') throw new Error('openStore: empty checkpoint target');
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(target);
  if (s3) {
    const endpoint = opts.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || undefined) ?? (process.env.AWS_ENDPOINT_URL || undefined);
    return new S3CheckpointStore({
      ...opts,
      bucket: s3[1],
      prefix: s3[2],
      endpoint,
      forcePathStyle: opts.forcePathStyle ?? (endpoint !== undefined ? true : undefined),
    });
  }
  if (/^file:/i.test(target)) return new FsCheckpointStore(fileURLToPath(target));
  const openDal = openDalTarget(target, opts);
  if (openDal) return new OpenDalCheckpointStore(openDal);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new Error(`openStore: unsupported checkpoint URL scheme in ${target} (supported: file:, s3://, ${OPENDAL_SCHEMES.filter((s) => s !== 's3').map((s) => `${s}://`).join(', ')})`);
  }
  return new FsCheckpointStore(target);
}
