import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CheckpointStore, loadCheckpoint, openDalStore, writeCheckpoint, type CheckpointStore } from '../../src/checkpoint/index.js';
import { startS3FaultProxy, type S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { pipelineA, sampleTable } from './helpers.js';

// A checkpoint that cannot be read is not a damaged one: a read that keeps failing (after the
// store's own retries) fails the load with the store's error naming the file; only bytes that were
// read in full and do not match their commit marker are damage, skipped for an older checkpoint.
let s3: S3Server;
let proxy: S3FaultProxy;
const stores: S3CheckpointStore[] = [];
beforeAll(async () => {
  s3 = await startS3();
  proxy = await startS3FaultProxy(s3.endpoint, { seed: 7 });
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await proxy?.stop();
  await s3?.stop();
});

/** The store's two S3 backends: the native one and OpenDAL's (the default for s3:// URLs). */
const backends = [
  {
    name: 'S3 (native)',
    errorName: 'S3StoreError',
    readOf: (file: RegExp) => new RegExp(`GetObject s3://[^ ]*${file.source}`),
    store(prefix: string, endpoint?: string, maxAttempts?: number): CheckpointStore {
      const s = new S3CheckpointStore({ bucket: s3.bucket, prefix: `native-${prefix}`, ...s3.clientConfig(endpoint), maxAttempts });
      stores.push(s);
      return s;
    },
  },
  {
    name: 'S3 (OpenDAL)',
    errorName: 'OpenDalStoreError',
    readOf: (file: RegExp) => new RegExp(`read s3://[^ ]*${file.source}`),
    store: (prefix: string, endpoint?: string, maxAttempts?: number): CheckpointStore =>
      openDalStore(`s3://${s3.bucket}/od-${prefix}`, { ...s3.clientConfig(endpoint), ...(maxAttempts === undefined ? {} : { maxAttempts }) }),
  },
];

const input = (i: number) => ({
  job: 'reads',
  sources: { src: { offset: String(i) } },
  nodes: { a: { kind: 'accumulate', state: { i } }, w: { kind: 'sdfWindow', state: sampleTable(200, i) } },
  pipeline: pipelineA,
});

const dataOf = (n: number) => (method: string, url: string) => method === 'GET' && url.includes(`/data/${n}/`);

describe.each(backends)('loading from $name through a network that fails reads', (backend) => {
  it.each([
    ['cut off in the middle of its body', 'cut', { truncate: 1 }],
    ['answered 503', 'busy', { slowDown: 1 }],
  ] as const)('every read of the newest checkpoint %s: the store error naming the file, neither damage nor a fall back', async (_what, prefix, fault) => {
    const direct = backend.store(prefix);
    await writeCheckpoint(direct, input(1));
    await writeCheckpoint(direct, input(2));
    const before = proxy.counters.truncate + proxy.counters.slowDown;
    proxy.setRates({ ...fault, only: dataOf(2) });
    try {
      const err = (await loadCheckpoint(backend.store(prefix, proxy.endpoint, 3)).then(() => undefined, (e: unknown) => e)) as Error;
      expect(err?.name, String(err)).toBe(backend.errorName);
      expect(err.message).toMatch(backend.readOf(new RegExp(`-${prefix}/data/2/`)));
    } finally {
      proxy.setRates({});
    }
    expect(proxy.counters.truncate + proxy.counters.slowDown - before).toBeGreaterThanOrEqual(3); // each of the store's attempts failed
  });

  it("reads that fail now and then are retried by the store's policy: the newest checkpoint loads", async () => {
    const direct = backend.store('flaky');
    await writeCheckpoint(direct, input(1));
    const before = proxy.counters.truncate + proxy.counters.slowDown + proxy.counters.reset;
    proxy.setRates({ truncate: 0.2, slowDown: 0.1, reset: 0.1, only: (method) => method === 'GET' });
    try {
      const via = backend.store('flaky', proxy.endpoint, 20);
      for (let i = 0; i < 4; i++) {
        const loaded = await loadCheckpoint(via, { strict: true });
        expect(loaded?.checkpoint).toBe(1);
        expect(loaded?.states.a).toEqual({ i: 1 });
      }
    } finally {
      proxy.setRates({});
    }
    expect(proxy.counters.truncate + proxy.counters.slowDown + proxy.counters.reset - before).toBeGreaterThan(0);
  });

  it('content that was read in full and does not match is damage: skipped for the older checkpoint', async () => {
    const direct = backend.store('damaged');
    await writeCheckpoint(direct, input(1));
    await writeCheckpoint(direct, input(2));
    await direct.put('data/2/a.json', new TextEncoder().encode('{"i": 3}'));
    const warnings: string[] = [];
    const loaded = await loadCheckpoint(backend.store('damaged', proxy.endpoint, 3), { onWarning: (m) => warnings.push(m) });
    expect(loaded?.checkpoint).toBe(1);
    expect(loaded?.skipped.map((p) => p.file)).toEqual(['data/2/a.json']);
    expect(warnings.join('\n')).toMatch(/checkpoint 2 .* is damaged/);
  });
});
