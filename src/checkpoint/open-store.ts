import { fileURLToPath } from 'node:url';
import { FsCheckpointStore } from './fs-store.js';
import { S3CheckpointStore, type S3StoreOptions } from './s3-store.js';
import type { CheckpointStore } from './store.js';

/** `scheme://user:password@host…`: the user-info part of a URL. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** The URL with any user-info (`key:secret@`) replaced by `***@`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Options for `s3://` targets; bucket and prefix come from the URL. */
export type OpenStoreOptions = Omit<S3StoreOptions, 'bucket' | 'prefix'>;

/**
 * A store from a target: an existing store is returned as is; `s3://bucket/prefix` gives an S3
 * store (endpoint from `opts.endpoint`, else env `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`;
 * a custom endpoint implies path-style addressing unless `opts.forcePathStyle` says otherwise);
 * `file://…` or a plain path gives a filesystem store.
 */
export function openStore(target: string | CheckpointStore, opts: OpenStoreOptions = {}): CheckpointStore {
  if (typeof target !== 'string') return target;
  if (target === '') throw new Error('openStore: empty checkpoint target');
  if (USERINFO.test(target)) {
    throw new Error(
      `openStore: credentials in a checkpoint store URL are refused (${redactUrl(target)}); ` +
        'pass them as storeOptions.credentials or through the AWS environment variables',
    );
  }
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
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) throw new Error(`openStore: unsupported checkpoint URL scheme in ${redactUrl(target)}`);
  return new FsCheckpointStore(target);
}
