import { afterAll, beforeAll } from 'vitest';
import { openDalStore } from '../../src/checkpoint/index.js';
import { AZURE_SERVER_BUSY, startAzurite, type AzuriteServer } from '../fixtures/azurite.js';
import { startS3FaultProxy, type S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { defineFaultSuite } from './fault-suite.js';

let s3: S3Server;
let azurite: AzuriteServer;
let s3Proxy: S3FaultProxy;
let azureProxy: S3FaultProxy;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3(), startAzurite()]);
  s3Proxy = await startS3FaultProxy(s3.endpoint, { seed: 20240601 });
  // Azurite's endpoint carries the account in its path; the proxy forwards paths as they are.
  azureProxy = await startS3FaultProxy(new URL(azurite.endpoint).origin, { seed: 20240602, busy: AZURE_SERVER_BUSY });
});
afterAll(async () => {
  await Promise.all([s3Proxy?.stop(), azureProxy?.stop()]);
  await Promise.all([s3?.stop(), azurite?.stop()]);
});

defineFaultSuite('S3 (OpenDAL, s3rver)', {
  proxy: () => s3Proxy,
  throughProxy: (prefix, maxAttempts) => openDalStore(`s3://${s3.bucket}/od-${prefix}`, { ...s3.clientConfig(s3Proxy.endpoint), maxAttempts }),
  direct: (prefix) => openDalStore(`s3://${s3.bucket}/od-${prefix}`, s3.clientConfig()),
  errorName: 'OpenDalStoreError',
  commitWriteError: /write s3:\/\/.*commits\/\d+\.json failed/,
});

defineFaultSuite('Azure Blob (OpenDAL, Azurite)', {
  proxy: () => azureProxy,
  throughProxy: (prefix, maxAttempts) =>
    openDalStore(`azblob://${azurite.container}/${prefix}`, { ...azurite.storeOptions(`${azureProxy.endpoint}${new URL(azurite.endpoint).pathname}`), maxAttempts }),
  direct: (prefix) => openDalStore(`azblob://${azurite.container}/${prefix}`, azurite.storeOptions()),
  errorName: 'OpenDalStoreError',
  commitWriteError: /write azblob:\/\/.*commits\/\d+\.json failed/,
});
