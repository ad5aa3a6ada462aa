import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { listCheckpoints, loadCheckpoint, S3CheckpointStore, verifyCheckpoints, writeCheckpoint } from '../../src/checkpoint/index.js';
import { startS3FaultProxy, type S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { pipelineA, rowsOf, sampleTable } from './helpers.js';

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

function throughProxy(prefix: string, maxAttempts: number): S3CheckpointStore {
  const s = new S3CheckpointStore({ bucket: s3.bucket, prefix, ...s3.clientConfig(proxy.endpoint), maxAttempts });
  stores.push(s);
  return s;
}
function direct(prefix: string): S3CheckpointStore {
  const s = new S3CheckpointStore({ bucket: s3.bucket, prefix, ...s3.clientConfig() });
  stores.push(s);
  return s;
}
function input(i: number) {
  return {
    job: 'faulty',
    sources: { src: { offset: String(i) } },
    nodes: {
      a: { kind: 'accumulate', state: { i } },
      b: { kind: 'unique', state: [i, i + 1] },
      w: { kind: 'sdfWindow', state: sampleTable(50, i) },
    },
    pipeline: pipelineA,
  };
}

describe('S3 checkpoints through a faulty network', () => {
  it('commit every checkpoint when retries absorb 503 SlowDown and dropped connections', async () => {
    const store = throughProxy('retrying', 10);
    const before = { ...proxy.counters };
    proxy.setRates({ slowDown: 0.15, reset: 0.1, resetAfter: 0.05 });
    try {
      for (let i = 1; i <= 4; i++) expect(await writeCheckpoint(store, input(i))).toBe(i);
      const loaded = (await loadCheckpoint(store, { strict: true }))!;
      expect(loaded.checkpoint).toBe(4);
      expect(loaded.states.a).toEqual({ i: 4 });
      expect(rowsOf(loaded.states.w as arrow.Table)).toEqual(rowsOf(sampleTable(50, 4)));
    } finally {
      proxy.setRates({});
    }
    const c = proxy.counters;
    expect(c.slowDown - before.slowDown).toBeGreaterThan(0);
    expect(c.reset - before.reset).toBeGreaterThan(0);
    expect(c.resetAfter - before.resetAfter).toBeGreaterThan(0);
    expect((await verifyCheckpoints(direct('retrying'))).map((v) => v.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('a checkpoint that cannot be written leaves no commit marker; loads never pick a damaged one', async () => {
    const store = throughProxy('failing', 2);
    await writeCheckpoint(store, input(1));
    proxy.setRates({ slowDown: 0.3, reset: 0.4, resetAfter: 0.1 });
    let failures = 0;
    try {
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          await writeCheckpoint(store, input(2 + attempt));
        } catch (e) {
          failures++;
          expect((e as Error).name).toBe('S3StoreError');
        }
      }
      // Loads under faults: either an error or a fully verified checkpoint, never a damaged one.
      for (let i = 0; i < 6; i++) {
        try {
          const got = await loadCheckpoint(store);
          if (got) {
            const ok = (await verifyCheckpoints(direct('failing'))).find((v) => v.checkpoint === got.checkpoint)!;
            expect(ok.status).toBe('ok');
            expect(got.states.a).toEqual({ i: Number((got.sources.src as { offset: string }).offset) });
          }
        } catch (e) {
          expect((e as Error).name).toBe('S3StoreError');
        }
      }
    } finally {
      proxy.setRates({});
    }
    expect(failures).toBeGreaterThan(0);

    // Deterministically: everything stored but the commit marker, whose PUT keeps failing.
    proxy.setRates({ reset: 1, only: (method, url) => method === 'PUT' && url.includes('/commits/') });
    try {
      await expect(writeCheckpoint(store, input(99))).rejects.toThrow(/PutObject .*commits\/\d+\.json/);
    } finally {
      proxy.setRates({});
    }

    // Every committed checkpoint is complete; failed ones have no marker.
    const clean = direct('failing');
    const listing = await listCheckpoints(clean);
    const verified = await verifyCheckpoints(clean);
    for (const v of verified) expect(v.status === 'ok' || v.status === 'uncommitted').toBe(true);
    expect(verified.filter((v) => v.status === 'uncommitted').length).toBeGreaterThan(0);
    const newestCommitted = Math.max(...listing.filter((l) => l.committed).map((l) => l.checkpoint));
    const loaded = (await loadCheckpoint(clean, { strict: true }))!;
    expect(loaded.checkpoint).toBe(newestCommitted);
    expect(loaded.states.a).toEqual({ i: Number((loaded.sources.src as { offset: string }).offset) });

    // Damage the newest committed checkpoint; loads through the faulty network skip it or fail, never return it.
    await clean.delete(`data/${newestCommitted}/w.parquet`);
    proxy.setRates({ slowDown: 0.1, reset: 0.2 });
    let loads = 0;
    try {
      for (let i = 0; i < 4; i++) {
        try {
          const got = await loadCheckpoint(store);
          loads++;
          expect(got === null || got.checkpoint < newestCommitted).toBe(true);
          if (got) expect(got.skipped.map((p) => p.file)).toContain(`data/${newestCommitted}/w.parquet`);
        } catch (e) {
          expect((e as Error).name).toBe('S3StoreError');
        }
      }
    } finally {
      proxy.setRates({});
    }
    expect(loads).toBeGreaterThan(0);
  });
});
