/**
 * Checkpoints through a network that answers 503 and drops connections (test/fixtures'
 * fault proxy), run against every HTTP backend (s3-faults.test.ts, opendal-faults.test.ts).
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, verifyCheckpoints, writeCheckpoint, type CheckpointStore } from '../../src/checkpoint/index.js';
import type { S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { pipelineA, rowsOf, sampleTable } from './helpers.js';

export interface FaultBackend {
  proxy(): S3FaultProxy;
  /** A store under `prefix` that talks through the proxy, with `maxAttempts` per request. */
  throughProxy(prefix: string, maxAttempts: number): CheckpointStore;
  /** The same prefix, talking to the server directly. */
  direct(prefix: string): CheckpointStore;
  /** The name of the store's error (`S3StoreError`, `OpenDalStoreError`). */
  errorName: string;
  /** Matches the error of a commit marker write that kept failing. */
  commitWriteError: RegExp;
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

export function defineFaultSuite(name: string, backend: FaultBackend): void {
  describe(`${name} checkpoints through a faulty network`, () => {
    it('commit every checkpoint when retries absorb 503s and dropped connections', async () => {
      const proxy = backend.proxy();
      const store = backend.throughProxy('retrying', 10);
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
      expect((await verifyCheckpoints(backend.direct('retrying'))).map((v) => v.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    });

    it('a checkpoint that cannot be written leaves no commit marker; loads never pick a damaged one', async () => {
      const proxy = backend.proxy();
      const store = backend.throughProxy('failing', 2);
      await writeCheckpoint(store, input(1));
      proxy.setRates({ slowDown: 0.3, reset: 0.4, resetAfter: 0.1 });
      let failures = 0;
      try {
        for (let attempt = 0; attempt < 6; attempt++) {
          try {
            await writeCheckpoint(store, input(2 + attempt));
          } catch (e) {
            failures++;
            // the store's error: as is from the listing that numbers the checkpoint, or as the
            // cause of the CheckpointWriteError naming the file a PUT failed on
            const err = e as Error;
            const storeError = err.name === 'CheckpointWriteError' ? (err.cause as Error) : err;
            expect(storeError.name, String(e)).toBe(backend.errorName);
          }
        }
        // Loads under faults: the store's error or a fully verified checkpoint. A read that fails is
        // not damage: never "all damaged", never a skipped checkpoint, never a fresh start.
        for (let i = 0; i < 6; i++) {
          try {
            const got = await loadCheckpoint(store);
            expect(got).not.toBeNull();
            expect(got!.skipped).toEqual([]);
            const ok = (await verifyCheckpoints(backend.direct('failing'))).find((v) => v.checkpoint === got!.checkpoint)!;
            expect(ok.status).toBe('ok');
            expect(got!.states.a).toEqual({ i: Number((got!.sources.src as { offset: string }).offset) });
          } catch (e) {
            expect((e as Error).name, String(e)).toBe(backend.errorName);
          }
        }
      } finally {
        proxy.setRates({});
      }
      expect(failures).toBeGreaterThan(0);

      // Deterministically: everything stored but the commit marker, whose PUT keeps failing.
      proxy.setRates({ reset: 1, only: (method, url) => method === 'PUT' && url.includes('/commits/') });
      try {
        await expect(writeCheckpoint(store, input(99))).rejects.toThrow(backend.commitWriteError);
      } finally {
        proxy.setRates({});
      }

      // Every committed checkpoint is complete; failed ones have no marker.
      const clean = backend.direct('failing');
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
      const allDamaged = listing.filter((l) => l.committed).length === 1;
      proxy.setRates({ slowDown: 0.1, reset: 0.2 });
      let loads = 0;
      try {
        for (let i = 0; i < 4; i++) {
          try {
            const got = await loadCheckpoint(store);
            loads++;
            expect(got).not.toBeNull(); // no fresh start without freshIfAllDamaged
            expect(got!.checkpoint).toBeLessThan(newestCommitted);
            expect(got!.skipped.map((p) => p.file)).toContain(`data/${newestCommitted}/w.parquet`);
          } catch (e) {
            // A read that fails is the store's error. "All damaged" only when it is so: the damaged
            // checkpoint is the only committed one (a completed load that refuses).
            if ((e as Error).name === 'AllCheckpointsDamagedError' && allDamaged) {
              expect((e as Error).message).toContain(`data/${newestCommitted}/w.parquet: missing`);
              loads++;
            } else {
              expect((e as Error).name, String(e)).toBe(backend.errorName);
            }
          }
        }
      } finally {
        proxy.setRates({});
      }
      expect(loads).toBeGreaterThan(0);
    });
  });
}
