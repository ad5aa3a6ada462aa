import { inspect } from 'node:util';
import type { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint, OpenDalCheckpointStore, openStore, S3CheckpointStore, S3StoreError, writeCheckpoint } from '../../src/checkpoint/index.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { pipelineA } from './helpers.js';
import { defineCheckpointSuite } from './suite.js';

let s3: S3Server;
const stores: S3CheckpointStore[] = [];
let counter = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await s3?.stop();
});

function store(extra: Partial<ConstructorParameters<typeof S3CheckpointStore>[0]> = {}): S3CheckpointStore {
  const s = new S3CheckpointStore({ bucket: s3.bucket, prefix: `jobs/t${++counter}`, ...s3.clientConfig(), ...extra });
  stores.push(s);
  return s;
}
const enc = new TextEncoder();

describe('S3CheckpointStore on s3rver', () => {
  it('keeps to its prefix', async () => {
    const s = store();
    const other = store();
    expect(s.url).toBe(`s3://${s3.bucket}/jobs/t${counter - 1}/`);
    await other.put('data/1/a.json', enc.encode('other'));
    await s.put('data/1/a.json', enc.encode('mine'));
    expect(await other.list('')).toEqual(['data/1/a.json']);
    expect(new TextDecoder().decode(await other.get('data/1/a.json'))).toBe('other');
  });

  it('follows ListObjectsV2 continuation tokens', async () => {
    // s3rver's continuation tokens use DES, which OpenSSL 3 (Node 18+) refuses: page with a fake client.
    const keys = Array.from({ length: 23 }, (_, i) => `pre/commits/${i + 1}.json`);
    const calls: Array<{ Prefix?: string; ContinuationToken?: string; MaxKeys?: number }> = [];
    const client = {
      async send(cmd: ListObjectsV2Command) {
        const { Prefix, ContinuationToken, MaxKeys } = cmd.input;
        calls.push({ Prefix, ContinuationToken, MaxKeys });
        const start = ContinuationToken ? Number(ContinuationToken) : 0;
        const page = keys.slice(start, start + (MaxKeys ?? 1000));
        const next = start + page.length;
        return { Contents: page.map((Key) => ({ Key })), IsTruncated: next < keys.length, NextContinuationToken: next < keys.length ? String(next) : undefined };
      },
    } as unknown as S3Client;
    const s = new S3CheckpointStore({ bucket: 'b', prefix: 'pre', client, listPageSize: 10 });
    expect(await s.list('commits/')).toEqual(keys.map((k) => k.slice('pre/'.length)));
    expect(calls).toEqual([
      { Prefix: 'pre/commits/', ContinuationToken: undefined, MaxKeys: 10 },
      { Prefix: 'pre/commits/', ContinuationToken: '10', MaxKeys: 10 },
      { Prefix: 'pre/commits/', ContinuationToken: '20', MaxKeys: 10 },
    ]);
  });

  it('never shows its credentials and wraps errors with operation and key', async () => {
    const secret = 'SUPER-SECRET-KEY-123';
    const s = new S3CheckpointStore({
      bucket: 'no-such-bucket',
      prefix: 'p',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLEAKCHECK', secretAccessKey: secret },
      maxAttempts: 1,
    });
    stores.push(s);
    for (const text of [String(s), inspect(s, { depth: 10, showHidden: true }), JSON.stringify(s), `${s.url}`]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('AKIDLEAKCHECK');
    }
    const err = await s.put('metadata/1.json', enc.encode('{}')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(S3StoreError);
    expect(err!.message).toContain('PutObject');
    expect(err!.message).toContain('s3://no-such-bucket/p/metadata/1.json');
    expect(err!.message).not.toContain(secret);
    expect(inspect(err, { depth: 20 })).not.toContain('AKIDLEAKCHECK');
    expect(inspect(err, { depth: 20 })).not.toContain(secret);
    await expect(s.list('commits/')).rejects.toThrow(/ListObjectsV2 s3:\/\/no-such-bucket\/p\/commits\//);
    // A missing bucket is an error, not an absent file (else a load would quietly find nothing).
    const noBucket = store({ bucket: 'no-such-bucket', prefix: 'p', maxAttempts: 1 });
    await expect(noBucket.get('commits/1.json')).rejects.toThrow(/GetObject s3:\/\/no-such-bucket\/p\/commits\/1.json failed: NoSuchBucket/);
    await expect(loadCheckpoint(noBucket)).rejects.toThrow(S3StoreError);
  });

  it('openStore serves s3:// URLs through OpenDAL, which reads the standard AWS env vars', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', s3.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    try {
      const s = openStore(`s3://${s3.bucket}/env/job`);
      expect(s).toBeInstanceOf(OpenDalCheckpointStore);
      expect(s.url).toBe(`s3://${s3.bucket}/env/job/`);
      const n = await writeCheckpoint(s, { job: 'j', sources: {}, nodes: { a: { kind: 'accumulate', state: [1, 2] } }, pipeline: pipelineA });
      expect(n).toBe(1);
      expect((await loadCheckpoint(s))!.states.a).toEqual([1, 2]);
      const direct = store({ prefix: 'env/job' });
      expect((await direct.list('')).sort()).toEqual(['commits/1.json', 'data/1/a.json', 'metadata/1.json']);
      // An S3 client of your own keeps the native store.
      expect(openStore(`s3://${s3.bucket}/env/job`, { client: {} as S3Client })).toBeInstanceOf(S3CheckpointStore);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

defineCheckpointSuite('S3 (s3rver)', { makeStore: async () => store(), atomicReplace: false });
