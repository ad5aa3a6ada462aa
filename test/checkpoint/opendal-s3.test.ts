import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDalStore, OpenDalStoreError, S3CheckpointStore, writeCheckpoint } from '../../src/checkpoint/index.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { pipelineA } from './helpers.js';
import { defineCheckpointSuite } from './suite.js';

let s3: S3Server;
let counter = 0;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});
const store = (prefix = `od/t${++counter}`) => openDalStore(`s3://${s3.bucket}/${prefix}`, s3.clientConfig());

describe('S3 through OpenDAL on s3rver', () => {
  it('reads and writes the same objects as the native S3 store', async () => {
    const viaOpenDal = store('shared/job');
    const native = new S3CheckpointStore({ bucket: s3.bucket, prefix: 'shared/job', ...s3.clientConfig() });
    try {
      await writeCheckpoint(viaOpenDal, { job: 'j', sources: {}, nodes: { a: { kind: 'accumulate', state: 1 } }, pipeline: pipelineA });
      await writeCheckpoint(native, { job: 'j', sources: {}, nodes: { a: { kind: 'accumulate', state: 2 } }, pipeline: pipelineA });
      expect((await viaOpenDal.list('')).sort()).toEqual((await native.list('')).sort());
      expect((await native.list('commits/')).sort()).toEqual(['commits/1.json', 'commits/2.json']);
      expect(await viaOpenDal.get('data/2/a.json')).toEqual(await native.get('data/2/a.json'));
    } finally {
      native.destroy();
    }
  });

  it('a missing bucket is an error, and the secret key is not in it', async () => {
    const secret = 'OPENDAL-SECRET-KEY-456';
    const s = openDalStore('s3://no-such-bucket/p', { endpoint: s3.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: secret } });
    const err = await s.get('commits/1.json').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(OpenDalStoreError);
    expect(err!.message).toMatch(/read s3:\/\/no-such-bucket\/p\/commits\/1.json failed: .*NoSuchBucket/);
    expect(String(err) + JSON.stringify(err) + JSON.stringify(s) + String(s)).not.toContain(secret);
  });
});

defineCheckpointSuite('S3 (OpenDAL, s3rver)', { makeStore: async () => store(), atomicReplace: false });
