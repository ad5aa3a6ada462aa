import { afterAll, beforeAll } from 'vitest';
import { S3CheckpointStore } from '../../src/checkpoint/index.js';
import { startS3FaultProxy, type S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { defineFaultSuite } from './fault-suite.js';

let s3: S3Server;
let proxy: S3FaultProxy;
const stores: S3CheckpointStore[] = [];
beforeAll(async () => {
  s3 = await startS3();
  proxy = await startS3FaultProxy(s3.endpoint, { seed: 20240601 });
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await proxy?.stop();
  await s3?.stop();
});

function store(prefix: string, endpoint?: string, maxAttempts?: number): S3CheckpointStore {
  const s = new S3CheckpointStore({ bucket: s3.bucket, prefix, ...s3.clientConfig(endpoint), maxAttempts });
  stores.push(s);
  return s;
}

defineFaultSuite('S3 (native, s3rver)', {
  proxy: () => proxy,
  throughProxy: (prefix, maxAttempts) => store(prefix, proxy.endpoint, maxAttempts),
  direct: (prefix) => store(prefix),
  errorName: 'S3StoreError',
  commitWriteError: /PutObject .*commits\/\d+\.json/,
});
