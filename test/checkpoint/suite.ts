/**
 * The write/load/retention suite, run against every backend (fs-store.test.ts, s3-store.test.ts).
 * Damage is injected through the store itself, so the suite needs nothing backend-specific.
 */
import * as arrow from 'apache-arrow';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AllCheckpointsDamagedError,
  CheckpointDamagedError,
  CheckpointNotFoundError,
  describeCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  PipelineChangedError,
  pipelineFingerprint,
  pruneCheckpoints,
  UnsafePathError,
  verifyCheckpoints,
  writeCheckpoint,
  type CheckpointStore,
  type CommitMarker,
  type FileProblem,
} from '../../src/checkpoint/index.js';
import { failingStore, pipelineA, recordingStore, rowsOf, sampleTable, schemaOf } from './helpers.js';

const dec = new TextDecoder();
const enc = new TextEncoder();
const json = (b: Uint8Array | undefined): any => JSON.parse(dec.decode(b));

export interface SuiteBackend {
  /** A fresh, empty store for one test. */
  makeStore(): Promise<CheckpointStore>;
  teardown?(): Promise<void>;
  /**
   * False where the server under test cannot replace a file atomically although the real service
   * does: s3rver streams an object while it is being overwritten, so a racing reader's
   * connection is cut (S3 itself serves the old or the new object whole).
   */
  atomicReplace?: boolean;
}

function input(i: number, rows = 5) {
  return {
    job: 'orders-job',
    sources: { orders: { kind: 'kafka', topic: 'orders', partitions: [{ partition: 0, offset: String(100 + i) }] } },
    nodes: {
      totals: { kind: 'accumulate', state: { sum: i * 10, seen: [i, 'x', null, true] } },
      window: { kind: 'sdfWindow', state: sampleTable(rows, i) },
    },
    pipeline: pipelineA,
  };
}

/** Rewrites the commit marker of N so that `file` matches its current bytes (damage that only decoding catches). */
async function reseal(store: CheckpointStore, n: number, file: string): Promise<void> {
  const { createHash } = await import('node:crypto');
  const commit = json(await store.get(`commits/${n}.json`)) as CommitMarker;
  const data = (await store.get(file))!;
  commit.files[file] = { bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
  await store.put(`commits/${n}.json`, enc.encode(JSON.stringify(commit)));
}

export function defineCheckpointSuite(name: string, backend: SuiteBackend): void {
  describe(`checkpoint files on ${name}`, () => {
    let store: CheckpointStore;
    beforeEach(async () => {
      store = await backend.makeStore();
    });
    afterAll(async () => {
      await backend.teardown?.();
    });

    it('puts, gets, lists by prefix and deletes files', async () => {
      const paths = Array.from({ length: 25 }, (_, i) => `data/${i + 1}/n.json`);
      await Promise.all(paths.map((p, i) => store.put(p, enc.encode(String(i)))));
      expect((await store.list('data/')).sort()).toEqual([...paths].sort());
      expect((await store.list('data/1/')).sort()).toEqual(['data/1/n.json']);
      expect((await store.list('data/1')).sort()).toEqual(paths.filter((p) => /^data\/1\d?\//.test(p)).sort());
      expect(await store.list('nothing/')).toEqual([]);
      expect(dec.decode(await store.get('data/3/n.json'))).toBe('2');
      expect(await store.get('data/99/n.json')).toBeUndefined();
      await store.delete('data/3/n.json');
      await store.delete('data/3/n.json'); // missing: fine
      expect(await store.get('data/3/n.json')).toBeUndefined();
      expect(await store.list('data/3/')).toEqual([]);
    });

    it.runIf(backend.atomicReplace !== false)('replaces a file atomically: racing readers see the old or the new content; of racing writers one whole content wins', async () => {
      const big = new Uint8Array(4 << 20).fill(7);
      await store.put('commits/1.json', enc.encode('old'));
      const reads: Promise<Uint8Array | undefined>[] = [];
      const write = store.put('commits/1.json', big);
      for (let i = 0; i < 20; i++) reads.push(store.get('commits/1.json'));
      await write;
      for (const r of await Promise.all(reads)) expect(r!.byteLength === 3 || r!.byteLength === big.byteLength).toBe(true);
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.put('commits/1.json', new Uint8Array(1000 + i).fill(i))));
      const final = (await store.get('commits/1.json'))!;
      expect(final.every((x) => x === final.byteLength - 1000)).toBe(true);
      expect(await store.list('commits/')).toEqual(['commits/1.json']);
    });

    it('writes exactly the normative layout, commit marker last', async () => {
      const rec = recordingStore(store);
      const fixed = new Date('2025-03-04T05:06:07.000Z');
      const n = await writeCheckpoint(rec, input(1), { now: () => fixed });
      expect(n).toBe(1);

      const puts = rec.events.filter((e) => e.op === 'put').map((e) => e.path);
      expect(puts.slice(0, 2).sort()).toEqual(['data/1/totals.json', 'data/1/window.parquet']);
      expect(puts.slice(2)).toEqual(['metadata/1.json', 'commits/1.json']);
      expect((await store.list('')).sort()).toEqual(['commits/1.json', 'data/1/totals.json', 'data/1/window.parquet', 'metadata/1.json']);

      const meta = json(await store.get('metadata/1.json'));
      expect(Object.keys(meta).sort()).toEqual(['checkpoint', 'createdAt', 'job', 'nodes', 'sources', 'version']);
      expect(meta).toMatchObject({ version: 1, checkpoint: 1, createdAt: '2025-03-04T05:06:07.000Z', job: 'orders-job' });
      expect(meta.sources).toEqual(input(1).sources);
      expect(meta.nodes.totals).toEqual({ kind: 'accumulate', file: 'data/1/totals.json' });
      expect(meta.nodes.window).toEqual({
        kind: 'sdfWindow',
        file: 'data/1/window.parquet',
        rows: 5,
        schema: [
          { name: 'key', type: 'Dictionary<Int32, Utf8>', nullable: true },
          { name: 'value', type: 'Float64', nullable: true },
          { name: 'count', type: 'Int32', nullable: true },
          { name: 'ts', type: 'Timestamp<MILLISECOND>', nullable: true },
          { name: 'flag', type: 'Bool', nullable: true },
          { name: 'name', type: 'Utf8', nullable: true },
        ],
      });

      const commit = json(await store.get('commits/1.json'));
      expect(Object.keys(commit).sort()).toEqual(['checkpoint', 'files', 'fingerprint', 'pipeline']);
      expect(commit.checkpoint).toBe(1);
      expect(commit.pipeline).toEqual(pipelineA.description);
      expect(commit.fingerprint).toBe(pipelineFingerprint(pipelineA.description));
      expect(commit.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(commit.files).sort()).toEqual(['data/1/totals.json', 'data/1/window.parquet', 'metadata/1.json']);
      const { createHash } = await import('node:crypto');
      for (const [file, d] of Object.entries(commit.files as CommitMarker['files'])) {
        const data = (await store.get(file))!;
        expect(d).toEqual({ bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') });
      }
      expect(json(await store.get('data/1/totals.json'))).toEqual({ sum: 10, seen: [1, 'x', null, true] });
      expect(dec.decode((await store.get('data/1/window.parquet'))!.slice(0, 4))).toBe('PAR1');
    });

    it('numbers checkpoints one above the highest present, committed or not', async () => {
      expect(await writeCheckpoint(store, input(1))).toBe(1);
      expect(await writeCheckpoint(store, input(2))).toBe(2);
      await store.put('data/5/leftover.json', enc.encode('{}'));
      expect(await writeCheckpoint(store, input(3))).toBe(6);
      await store.put('metadata/9.json', enc.encode('{}'));
      expect(await writeCheckpoint(store, input(4))).toBe(10);
      await store.put('commits/12.json', enc.encode('{}'));
      expect(await writeCheckpoint(store, input(5))).toBe(13);
      await store.put('metadata/notanumber.json', enc.encode('{}'));
      expect(await writeCheckpoint(store, input(6))).toBe(14);
    });

    it('loads the latest committed checkpoint with exact states', async () => {
      expect(await loadCheckpoint(store)).toBeNull();
      await writeCheckpoint(store, input(1));
      await writeCheckpoint(store, input(2, 7));
      // A newer checkpoint that never got its commit marker (crash mid-write).
      await expect(writeCheckpoint(failingStore(store, (p) => p.startsWith('commits/')), input(3))).rejects.toThrow(/injected/);
      const loaded = (await loadCheckpoint(store))!;
      expect(loaded.checkpoint).toBe(2);
      expect(loaded.skipped).toEqual([]);
      expect(loaded.sources).toEqual(input(2).sources);
      expect(loaded.states.totals).toEqual({ sum: 20, seen: [2, 'x', null, true] });
      const table = loaded.states.window as arrow.Table;
      expect(schemaOf(table)).toEqual(schemaOf(sampleTable(7, 2)));
      expect(rowsOf(table)).toEqual(rowsOf(sampleTable(7, 2)));
      expect(loaded.pipeline).toEqual(pipelineA.description);
      expect(loaded.fingerprint).toBe(pipelineFingerprint(pipelineA.description));
      expect(loaded.metadata.job).toBe('orders-job');

      const one = (await loadCheckpoint(store, { checkpoint: 1 }))!;
      expect(one.checkpoint).toBe(1);
      await expect(loadCheckpoint(store, { checkpoint: 3 })).rejects.toThrow(CheckpointNotFoundError);
    });

    it('a failed write leaves no commit marker', async () => {
      await writeCheckpoint(store, input(1));
      await expect(writeCheckpoint(failingStore(store, (p) => p.endsWith('window.parquet')), input(2))).rejects.toThrow(/injected/);
      expect(await store.list('commits/')).toEqual(['commits/1.json']);
      expect((await loadCheckpoint(store))!.checkpoint).toBe(1);
    });

    type Damage = { name: string; file: string; reason: RegExp; damage: (s: CheckpointStore) => Promise<void> };
    const damages: Damage[] = [
      {
        name: 'truncated Parquet',
        file: 'data/2/window.parquet',
        reason: /size mismatch/,
        damage: async (s) => {
          const b = (await s.get('data/2/window.parquet'))!;
          await s.put('data/2/window.parquet', b.slice(0, Math.floor(b.length / 2)));
        },
      },
      {
        name: 'truncated Parquet resealed in the commit marker',
        file: 'data/2/window.parquet',
        reason: /Parquet decode failed/,
        damage: async (s) => {
          const b = (await s.get('data/2/window.parquet'))!;
          await s.put('data/2/window.parquet', b.slice(0, Math.floor(b.length / 2)));
          await reseal(s, 2, 'data/2/window.parquet');
        },
      },
      {
        name: 'invalid JSON state resealed in the commit marker',
        file: 'data/2/totals.json',
        reason: /invalid JSON/,
        damage: async (s) => {
          await s.put('data/2/totals.json', enc.encode('{"sum": 20, "seen": [2,'));
          await reseal(s, 2, 'data/2/totals.json');
        },
      },
      {
        name: 'missing data file',
        file: 'data/2/window.parquet',
        reason: /missing/,
        damage: (s) => s.delete('data/2/window.parquet'),
      },
      {
        name: 'checksum mismatch (same size)',
        file: 'data/2/totals.json',
        reason: /checksum mismatch/,
        damage: async (s) => {
          const b = (await s.get('data/2/totals.json'))!.slice();
          b[b.indexOf(0x32 /* '2' */)] = 0x33;
          await s.put('data/2/totals.json', b);
        },
      },
      {
        name: 'commit marker without metadata',
        file: 'metadata/2.json',
        reason: /missing/,
        damage: (s) => s.delete('metadata/2.json'),
      },
      {
        name: 'metadata naming another checkpoint',
        file: 'metadata/2.json',
        reason: /names checkpoint 7, expected 2/,
        damage: async (s) => {
          const m = json(await s.get('metadata/2.json'));
          m.checkpoint = 7;
          await s.put('metadata/2.json', enc.encode(JSON.stringify(m)));
          await reseal(s, 2, 'metadata/2.json');
        },
      },
      {
        name: 'metadata pointing a node outside data/2/',
        file: 'metadata/2.json',
        reason: /points outside data\/2\//,
        damage: async (s) => {
          const m = json(await s.get('metadata/2.json'));
          m.nodes.totals.file = 'data/1/totals.json';
          await s.put('metadata/2.json', enc.encode(JSON.stringify(m)));
          await reseal(s, 2, 'metadata/2.json');
        },
      },
      {
        name: 'invalid commit marker',
        file: 'commits/2.json',
        reason: /invalid JSON/,
        damage: (s) => s.put('commits/2.json', enc.encode('{"checkpoint": 2, "fi')),
      },
    ];

    for (const d of damages) {
      it(`damage: ${d.name} is reported by file name and skipped; strict refuses`, async () => {
        await writeCheckpoint(store, input(1));
        await writeCheckpoint(store, input(2));
        await d.damage(store);

        const warnings: string[] = [];
        const loaded = (await loadCheckpoint(store, { onWarning: (m) => warnings.push(m) }))!;
        expect(loaded.checkpoint).toBe(1);
        expect(loaded.states.totals).toEqual({ sum: 10, seen: [1, 'x', null, true] });
        expect(loaded.skipped.map((p: FileProblem) => [p.checkpoint, p.file])).toContainEqual([2, d.file]);
        expect(loaded.skipped.find((p) => p.file === d.file)!.reason).toMatch(d.reason);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(d.file);

        const err = await loadCheckpoint(store, { strict: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CheckpointDamagedError);
        expect((err as CheckpointDamagedError).checkpoint).toBe(2);
        expect((err as CheckpointDamagedError).message).toContain(d.file);
        await expect(loadCheckpoint(store, { checkpoint: 2 })).rejects.toThrow(CheckpointDamagedError);

        const verified = await verifyCheckpoints(store);
        expect(verified.map((v) => [v.checkpoint, v.status])).toEqual([
          [1, 'ok'],
          [2, 'damaged'],
        ]);
        expect(verified[1].problems.map((p) => p.file)).toContain(d.file);
      });
    }

    it('refuses when every committed checkpoint is damaged, unless a fresh start is chosen', async () => {
      await writeCheckpoint(store, input(1));
      await writeCheckpoint(store, input(2));
      await store.delete('data/1/totals.json');
      await store.delete('data/2/totals.json');
      const err = await loadCheckpoint(store).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AllCheckpointsDamagedError);
      expect((err as Error).message).toMatch(/data\/2\/totals.json.*data\/1\/totals.json.*freshIfAllDamaged/s);
      const warnings: string[] = [];
      expect(await loadCheckpoint(store, { freshIfAllDamaged: true, onWarning: (m) => warnings.push(m) })).toBeNull();
      expect(warnings.join()).toContain('data/1/totals.json');
    });

    it('rejects path-escaping node ids and job names before writing anything', async () => {
      const bad = ['../escape', '/abs', 'a\\b', 'a//b', 'a/../../b', 'nul\0byte', '', '.', 'trailing/'];
      for (const id of bad) {
        await expect(
          writeCheckpoint(store, { ...input(1), nodes: { [id]: { kind: 'accumulate', state: 1 } } }),
        ).rejects.toThrow(UnsafePathError);
        await expect(writeCheckpoint(store, { ...input(1), job: id })).rejects.toThrow(UnsafePathError);
        await expect(store.put(id, enc.encode('x'))).rejects.toThrow(UnsafePathError);
      }
      await expect(writeCheckpoint(store, { ...input(1), job: '../../etc' })).rejects.toThrow(/job name "..\/..\/etc"/);
      expect(await store.list('')).toEqual([]);
    });

    it('prunes oldest first, commit marker before data and metadata, and old leftovers', async () => {
      const commitsFail = failingStore(store, (p) => p.startsWith('commits/'));
      await writeCheckpoint(store, input(1)); // 1
      await writeCheckpoint(store, input(2)); // 2
      await expect(writeCheckpoint(commitsFail, input(3))).rejects.toThrow(); // 3: leftover
      await writeCheckpoint(store, input(4)); // 4
      await writeCheckpoint(store, input(5)); // 5
      await writeCheckpoint(store, input(6)); // 6
      await expect(writeCheckpoint(commitsFail, input(7))).rejects.toThrow(); // 7: newer than newest commit

      const rec = recordingStore(store);
      const result = await pruneCheckpoints(rec, 2);
      expect(result).toEqual({ deleted: [1, 2, 4], leftovers: [3], kept: [5, 6] });

      const deletes = rec.events.map((e) => e.path);
      for (const n of [1, 2, 4]) {
        const mine = deletes.filter((p) => p.includes(`/${n}`));
        expect(mine[0]).toBe(`commits/${n}.json`);
        expect(mine.slice(1, 3).sort()).toEqual([`data/${n}/totals.json`, `data/${n}/window.parquet`]);
        expect(mine[3]).toBe(`metadata/${n}.json`);
      }
      // The leftover has no commit marker: its data files, then its metadata.
      expect(deletes.filter((p) => p.includes('/3'))).toEqual(['data/3/totals.json', 'data/3/window.parquet', 'metadata/3.json']);
      expect(deletes.some((p) => p.includes('/7'))).toBe(false);
      // Checkpoints are deleted one at a time, oldest first.
      expect(deletes.indexOf('commits/2.json')).toBeGreaterThan(deletes.indexOf('metadata/1.json'));

      const listed = await listCheckpoints(store);
      expect(listed.map((l) => [l.checkpoint, l.committed])).toEqual([
        [5, true],
        [6, true],
        [7, false],
      ]);
      expect(listed[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await loadCheckpoint(store))!.checkpoint).toBe(6);
      expect(await pruneCheckpoints(store, 2)).toEqual({ deleted: [], leftovers: [], kept: [5, 6] });
      await expect(pruneCheckpoints(store, 0)).rejects.toThrow(/keep/);
    });

    it('keeps 10 by default', async () => {
      for (let i = 1; i <= 12; i++) await writeCheckpoint(store, { ...input(i), nodes: { totals: { kind: 'accumulate', state: i } } });
      const r = await pruneCheckpoints(store);
      expect(r.deleted).toEqual([1, 2]);
      expect((await listCheckpoints(store)).map((l) => l.checkpoint)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });

    it('describes a checkpoint for `show`', async () => {
      await writeCheckpoint(store, input(1));
      const d = await describeCheckpoint(store, 1);
      expect(d).toMatchObject({ checkpoint: 1, committed: true, job: 'orders-job', sources: input(1).sources });
      expect(d.fingerprint).toBe(pipelineFingerprint(pipelineA.description));
      const window = d.nodes.find((x) => x.id === 'window')!;
      expect(window).toMatchObject({ kind: 'sdfWindow', file: 'data/1/window.parquet', rows: 5 });
      expect(window.schema!.map((f) => f.name)).toEqual(['key', 'value', 'count', 'ts', 'flag', 'name']);
      expect(window.bytes).toBe((await store.get('data/1/window.parquet'))!.byteLength);
      expect(d.nodes.find((x) => x.id === 'totals')).toMatchObject({ kind: 'accumulate', file: 'data/1/totals.json' });
      expect(d.totalBytes).toBeGreaterThan(window.bytes!);
      await expect(describeCheckpoint(store, 99)).rejects.toThrow(/metadata\/99.json/);
    });

    it('refuses a changed pipeline with the list of differences unless allowed', async () => {
      await writeCheckpoint(store, input(1));
      const changed = {
        description: {
          nodes: [
            { id: 'src', kind: 'fromKafka', params: { topic: 'orders' } },
            { id: 'totals', kind: 'accumulate', params: { start: 5 } },
            { id: 'sink', kind: 'sink' },
          ],
          edges: [
            ['src', 'totals'],
            ['totals', 'sink'],
          ] as Array<[string, string]>,
        },
      };
      const err = await loadCheckpoint(store, { pipeline: changed }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PipelineChangedError);
      const msg = (err as Error).message;
      expect(msg).toContain('node "window" (sdfWindow) removed');
      expect(msg).toContain('node "sink" (sink) added');
      expect(msg).toContain('node "totals": parameter start changed from 0 to 5');
      expect(msg).toContain('edge src -> window removed');
      expect(msg).toContain('edge totals -> sink added');
      const warnings: string[] = [];
      const ok = await loadCheckpoint(store, { pipeline: changed, allowPipelineChange: true, onWarning: (m) => warnings.push(m) });
      expect(ok!.checkpoint).toBe(1);
      expect(warnings[0]).toContain('pipeline changed');
      expect((await loadCheckpoint(store, { pipeline: pipelineA }))!.checkpoint).toBe(1);
    });
  });
}
