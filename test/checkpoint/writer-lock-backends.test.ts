import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDalStore, S3CheckpointStore } from '../../src/checkpoint/index.js';
import { startAzurite, type AzuriteServer } from '../fixtures/azurite.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { tempDir } from './helpers.js';
import { defineWriterLockSuite, onCleanup } from './writer-lock-suite.js';

let s3: S3Server;
let azurite: AzuriteServer;
let counter = 0;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3(), startAzurite()]);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
});

defineWriterLockSuite('local files (OpenDAL fs)', async () => {
  const { dir, cleanup } = await tempDir('sf-lock-opendal-');
  onCleanup(cleanup);
  return openDalStore(pathToFileURL(join(dir, 'root')).href);
});
defineWriterLockSuite('S3 (native client, s3rver)', async () => new S3CheckpointStore({ bucket: s3.bucket, prefix: `lock-${++counter}`, ...s3.clientConfig() }), { raceRounds: 8 });
defineWriterLockSuite('S3 (OpenDAL, s3rver)', async () => openDalStore(`s3://${s3.bucket}/lock-${++counter}`, s3.clientConfig()));
defineWriterLockSuite('Azure Blob (OpenDAL, Azurite)', async () => openDalStore(`azblob://${azurite.container}/lock-${++counter}`, azurite.storeOptions()));
