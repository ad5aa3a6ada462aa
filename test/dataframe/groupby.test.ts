import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GroupbyState, Ingestor, AGG_OPS, WindowedAggregation, type AggOp, toRows } from '../../src/dataframe/index.js';
import { SCHEMA, checkGroupby, ipcRoundTrip, naiveGroupby, rowsArb, split, splitArb, toColumnsObj, type Row } from './helpers.js';
import { runs } from './helpers.js';

const BYS: (keyof Row)[][] = [[], ['k'], ['n'], ['b'], ['k', 'n'], ['k', 'b', 'n']];
const VALUE_OPS = AGG_OPS.filter((o) => o !== 'nunique' || true) as AggOp[];

function specsFor(ops: AggOp[]) {
  return ops.map((op) => ({ column: 'v' as const, op }));
}

describe('cumulative groupby (property: batches == naive recomputation)', () => {
  it('every aggregation, every key shape, random batch splits', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, fc.constantFrom(...BYS), fc.subarray(VALUE_OPS, { minLength: 1 }), (rows, sizes, by, ops) => {
        const ing = new Ingestor({ ...SCHEMA });
        const gb = new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: by as string[], aggs: specsFor(ops) });
        const seen: Row[] = [];
        for (const part of split(rows, sizes)) {
          gb.update(ing.ingest(toColumnsObj(part)));
          seen.push(...part);
          const expected = naiveGroupby(seen, by, specsFor(ops));
          if (by.length === 0 && expected.length === 0) expected.push({ key: [], values: specsFor(ops).map((s) => ({ op: s.op, xs: [], expected: ({ sum: 0, count: 0, size: 0, nunique: 0 } as Record<string, number>)[s.op] ?? NaN })) });
          const msg = checkGroupby(gb.result(), expected, by as string[], ops.map((o) => `v_${o}`));
          if (msg) throw new Error(msg);
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it('snapshot -> restore mid-stream (new dictionaries) -> rest equals uninterrupted', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, fc.constantFrom(...BYS), fc.nat(), (rows, sizes, by, cut) => {
        const ops = [...AGG_OPS];
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        const ingA = new Ingestor({ ...SCHEMA });
        const a = new GroupbyState({ schema: ingA.schema, dicts: ingA.dicts, by: by as string[], aggs: specsFor(ops) });
        for (const p of parts) a.update(ingA.ingest(toColumnsObj(p)));

        const ingB = new Ingestor({ ...SCHEMA });
        const b1 = new GroupbyState({ schema: ingB.schema, dicts: ingB.dicts, by: by as string[], aggs: specsFor(ops) });
        for (const p of parts.slice(0, c)) b1.update(ingB.ingest(toColumnsObj(p)));
        const snap = ipcRoundTrip(b1.snapshot());
        const ingC = new Ingestor({ ...SCHEMA });
        ingC.ingest({ k: ['zzz', 'e'], n: [1, 2], b: [true, false], v: [1, 2], ts: [0, 0] }); // shift codes
        const b2 = GroupbyState.restore(snap, { schema: ingC.schema, dicts: ingC.dicts, by: by as string[], aggs: specsFor(ops) });
        for (const p of parts.slice(c)) b2.update(ingC.ingest(toColumnsObj(p)));
        expect(toRows(b2.result())).toEqual(toRows(a.result()));
      }),
      { numRuns: runs(100) },
    );
  });

  it('utf8 value columns: count/size/nunique/first/last', () => {
    const ing = new Ingestor({ g: 'int32', s: 'utf8' });
    const gb = new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: 'g', aggs: { s: ['count', 'size', 'nunique', 'first', 'last'] } });
    gb.update(ing.ingest({ g: [1, 1, 2, 1], s: [null, 'x', 'y', 'x'] }));
    gb.update(ing.ingest({ g: [2, 2], s: ['z', null] }));
    expect(toRows(gb.result())).toEqual([
      { g: 1, s_count: 2, s_size: 3, s_nunique: 1, s_first: 'x', s_last: 'x' },
      { g: 2, s_count: 2, s_size: 3, s_nunique: 2, s_first: 'y', s_last: 'z' },
    ]);
    expect(() => new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: 'g', aggs: { s: 'sum' } })).toThrow(/not supported on utf8/);
  });

  it('custom names, dropna=false, unseen keys appear, timestamp min keeps dtype', () => {
    const ing = new Ingestor({ k: 'utf8', v: 'float64', ts: 'timestamp' });
    const gb = new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: 'k', dropna: false, aggs: [{ column: 'v', op: 'sum', name: 'v' }, { column: 'ts', op: 'min' }] });
    gb.update(ing.ingest({ k: ['b', null], v: [1, 2], ts: [5, 6] }));
    gb.update(ing.ingest({ k: ['a'], v: [NaN], ts: [7] }));
    const r = gb.result();
    expect(r.schema).toEqual({ k: 'utf8', v: 'float64', ts_min: 'timestamp' });
    expect(toRows(r, { timestamps: 'ms' })).toEqual([
      { k: 'a', v: 0, ts_min: 7 },
      { k: 'b', v: 1, ts_min: 5 },
      { k: null, v: 2, ts_min: 6 },
    ]);
    expect(() => new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: 'k', aggs: { v: 'median' as AggOp } })).toThrow(/unknown aggregation/);
    expect(() => new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: 'nope', aggs: { v: 'sum' } })).toThrow(/no column "nope"/);
  });
});

describe('sums are compensated, as pandas does (Kahan/Neumaier), with or without other stats beside them', () => {
  for (const aggs of [['sum', 'mean'], ['sum', 'mean', 'max', 'var']] as AggOp[][]) {
    it(`cumulative and windowed ${aggs.join('+')}: 1e16 + 1 + 1 - 1e16 + 3 is 5, not 3`, () => {
      const ing = new Ingestor({ k: 'utf8', v: 'float64' });
      const gb = new GroupbyState({ schema: ing.schema, dicts: ing.dicts, by: ['k'], aggs: { v: aggs } });
      const win = new WindowedAggregation({ window: { n: 3 }, schema: ing.schema, dicts: ing.dicts, by: ['k'], aggs: { v: aggs } });
      for (const v of [1e16, 1, 1, -1e16, 3]) {
        const f = ing.ingest({ k: ['a'], v: [v] });
        gb.update(f);
        win.update(f);
      }
      expect(toRows(gb.result())[0]).toMatchObject({ v_sum: 5, v_mean: 1 });
      // the window's rows are 1, -1e16, 3 after 1e16 and a 1 left it
      expect(toRows(win.result())[0]).toMatchObject({ v_sum: -1e16 + 4, v_mean: (-1e16 + 4) / 3 });
    });
  }
});

describe('frames from another dictionary', () => {
  it('are re-encoded by the kernels (groupby, windows, valueCounts)', async () => {
    const { WindowedAggregation, ValueCountsState, RollingState } = await import('../../src/dataframe/index.js');
    const mine = new Ingestor({ k: 'utf8', v: 'float64' });
    const other = new Ingestor({ k: 'utf8', v: 'float64' });
    other.ingest({ k: ['zz', 'yy'], v: [0, 0] }); // different codes for the same strings
    const gb = new GroupbyState({ schema: mine.schema, dicts: mine.dicts, by: 'k', aggs: { v: 'sum', k: ['first'] } });
    const w = new WindowedAggregation({ window: { n: 10 }, schema: mine.schema, dicts: mine.dicts, by: 'k', aggs: { v: 'sum' } });
    const vc = new ValueCountsState('k', mine.schema, mine.dicts);
    for (const f of [mine.ingest({ k: ['a', 'b'], v: [1, 2] }), other.ingest({ k: ['b', 'a', 'c'], v: [10, 20, 30] })]) {
      gb.update(f);
      w.update(f);
      vc.update(f);
    }
    expect(toRows(gb.result())).toEqual([
      { k: 'a', v_sum: 21, k_first: 'a' },
      { k: 'b', v_sum: 12, k_first: 'b' },
      { k: 'c', v_sum: 30, k_first: 'c' },
    ]);
    expect(toRows(w.result())).toEqual([{ k: 'a', v_sum: 21 }, { k: 'b', v_sum: 12 }, { k: 'c', v_sum: 30 }]);
    expect(toRows(vc.result())).toEqual([{ k: 'a', count: 2 }, { k: 'b', count: 2 }, { k: 'c', count: 1 }]);
    expect(() => new RollingState({ column: 'k', window: 2, ops: ['sum'] }).update(mine.ingest({ k: ['a'], v: [1] }))).toThrow(/needs a numeric column/);
  });
});

describe('nlargest', () => {
  it('per group and overall, cumulative across batches, restore mid-stream (property)', async () => {
    const { NLargestState, nlargestOf } = await import('../../src/dataframe/index.js');
    const { keyCompare } = await import('./helpers.js');
    fc.assert(
      fc.property(rowsArb(), splitArb, fc.constantFrom<(keyof Row)[]>([], ['k'], ['k', 'b']), fc.integer({ min: 0, max: 4 }), fc.nat(), (rows, sizes, by, n, cut) => {
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        const ing = new Ingestor({ ...SCHEMA });
        let s = new NLargestState({ schema: ing.schema, dicts: ing.dicts, by: by as string[], column: 'v', n });
        parts.forEach((p, j) => {
          if (j === c) {
            const ing2 = new Ingestor({ ...SCHEMA });
            const fresh = new NLargestState({ schema: ing2.schema, dicts: ing.dicts, by: by as string[], column: 'v', n });
            fresh.restore(ipcRoundTrip(s.snapshot()));
            s = fresh;
          }
          s.update(ing.ingest(toColumnsObj(p)));
        });
        // naive
        const groups = new Map<string, { key: unknown[]; vs: number[] }>();
        for (const r of rows) {
          const key = by.map((k) => r[k]);
          if (key.some((x) => x === null)) continue;
          const id = JSON.stringify(key);
          if (!groups.has(id)) groups.set(id, { key, vs: [] });
          if (!Number.isNaN(r.v)) groups.get(id)!.vs.push(r.v);
        }
        const sorted = [...groups.values()].sort((x, y) => {
          for (let i = 0; i < by.length; i++) {
            const cmp = keyCompare(x.key[i], y.key[i]);
            if (cmp) return cmp;
          }
          return 0;
        });
        const expected = sorted.flatMap((g) =>
          [...g.vs].sort((a, b) => b - a).slice(0, n).map((v) => Object.fromEntries([...by.map((k, i) => [k, g.key[i]]), ['v', v]])),
        );
        const got = toRows(s.result());
        expect(got.map((r) => ({ ...r, v: (r.v as number) + 0 }))).toEqual(expected.map((r) => ({ ...r, v: (r.v as number) + 0 })));
        const once = nlargestOf(ing.ingest(toColumnsObj(rows)), { by: by as string[], column: 'v', n });
        expect(toRows(once).map((r) => ({ ...r, v: (r.v as number) + 0 }))).toEqual(expected.map((r) => ({ ...r, v: (r.v as number) + 0 })));
      }),
      { numRuns: runs(100) },
    );
  });
});
