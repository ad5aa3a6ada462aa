import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AGG_OPS, Ingestor, WindowState, WindowedAggregation, type AggOp, type WindowSpec, toRows } from '../../src/dataframe/index.js';
import { SCHEMA, checkGroupby, expectedFor, ipcRoundTrip, naive, naiveGroupby, rowsArb, split, splitArb, specArb, toColumnsObj, windowRows, type Row } from './helpers.js';
import { runs } from './helpers.js';

const BYS: (keyof Row)[][] = [[], ['k'], ['n', 'b']];
describe('windows (property: incremental == naive over the window)', () => {
  it('window content equals the last n rows / the last T of event time', () => {
    fc.assert(
      fc.property(rowsArb(80), splitArb, specArb, (rows, sizes, spec) => {
        const ing = new Ingestor({ ...SCHEMA });
        const w = new WindowState(spec, ing.schema, ing.dicts);
        const seen: Row[] = [];
        for (const part of split(rows, sizes)) {
          w.push(w.prepare(ing.ingest(toColumnsObj(part))));
          seen.push(...part);
          const exp = windowRows(seen, spec);
          expect(w.length).toBe(exp.length);
          expect(toRows(w.frame(), { timestamps: 'ms' })).toEqual(exp);
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it('windowed aggregations (all ops, with and without keys)', () => {
    fc.assert(
      fc.property(rowsArb(80), splitArb, specArb, fc.constantFrom(...BYS), fc.subarray([...AGG_OPS], { minLength: 1 }), (rows, sizes, spec, by, ops) => {
        const ing = new Ingestor({ ...SCHEMA });
        const agg = new WindowedAggregation({ window: spec, schema: ing.schema, dicts: ing.dicts, by: by as string[], aggs: { v: ops } });
        const seen: Row[] = [];
        for (const part of split(rows, sizes)) {
          agg.update(ing.ingest(toColumnsObj(part)));
          seen.push(...part);
          const msg = checkGroupby(agg.result(), expectedFor(windowRows(seen, spec), by, ops), by as string[], ops.map((o) => `v_${o}`));
          if (msg) throw new Error(msg);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('snapshot -> restore mid-stream -> rest equals the naive result', () => {
    fc.assert(
      fc.property(rowsArb(80), splitArb, specArb, fc.constantFrom(...BYS), fc.nat(), (rows, sizes, spec, by, cut) => {
        const ops = [...AGG_OPS];
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        const ingA = new Ingestor({ ...SCHEMA });
        const a = new WindowedAggregation({ window: spec, schema: ingA.schema, dicts: ingA.dicts, by: by as string[], aggs: { v: ops } });
        for (const p of parts.slice(0, c)) a.update(ingA.ingest(toColumnsObj(p)));
        const snap = ipcRoundTrip(a.snapshot());
        const ingB = new Ingestor({ ...SCHEMA });
        ingB.ingest({ k: ['q'], n: [9], b: [null], v: [0], ts: [0] });
        const b = WindowedAggregation.restore(snap, { window: spec, schema: ingB.schema, dicts: ingB.dicts, by: by as string[], aggs: { v: ops } });
        for (const p of parts.slice(c)) b.update(ingB.ingest(toColumnsObj(p)));
        const msg = checkGroupby(b.result(), expectedFor(windowRows(rows, spec), by, ops), by as string[], ops.map((o) => `v_${o}`));
        if (msg) throw new Error(msg);
      }),
      { numRuns: runs(100) },
    );
  });

  it('row-by-row feeding stays compact and correct (chunk merging)', () => {
    const ing = new Ingestor({ k: 'utf8', v: 'float64', ts: 'timestamp' });
    const w = new WindowedAggregation({ window: { n: 5000 }, schema: ing.schema, dicts: ing.dicts, by: 'k', aggs: { v: ['sum', 'max', 'count'] } });
    const all: number[] = [];
    for (let i = 0; i < 12000; i++) {
      const v = (i * 7919) % 1000;
      all.push(v);
      w.update(ing.ingest({ k: [i % 2 ? 'odd' : 'even'], v: [v], ts: [i] }));
    }
    const last = all.slice(-5000);
    const even = last.filter((_, j) => (12000 - 5000 + j) % 2 === 0);
    const odd = last.filter((_, j) => (12000 - 5000 + j) % 2 === 1);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(toRows(w.result())).toEqual([
      { k: 'even', v_sum: sum(even), v_max: Math.max(...even), v_count: 2500 },
      { k: 'odd', v_sum: sum(odd), v_max: Math.max(...odd), v_count: 2500 },
    ]);
    // 5000 rows * (4 + 8 + 8) bytes + gids 4 bytes, plus at most one partly evicted merged chunk
    expect(w.window.byteLength()).toBeLessThan(2 * 5000 * 24);
  });

  it('long add/remove histories stay accurate (mixed magnitudes, periodic rebuild)', () => {
    const ing = new Ingestor({ k: 'utf8', v: 'float64' });
    const w = new WindowedAggregation({ window: { n: 1000 }, schema: ing.schema, dicts: ing.dicts, by: 'k', aggs: { v: ['sum', 'mean', 'var'] } });
    let x = 1;
    const all: number[] = [];
    for (let b = 0; b < 300; b++) {
      const v = new Float64Array(1000);
      for (let i = 0; i < v.length; i++) {
        x = (x * 16807) % 2147483647;
        v[i] = b < 150 && i % 7 === 0 ? x * 1e6 : (x % 1000) / 7;
      }
      all.push(...v);
      w.update(ing.ingest({ k: new Array(1000).fill('k'), v }));
    }
    const last = all.slice(-1000);
    const sum = last.reduce((a, c) => a + c, 0);
    const mean = sum / 1000;
    const vr = last.reduce((a, c) => a + (c - mean) ** 2, 0) / 999;
    const r = toRows(w.result())[0] as Record<string, number>;
    expect(Math.abs(r.v_sum - sum) / sum).toBeLessThan(1e-12);
    expect(Math.abs(r.v_mean - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(r.v_var - vr) / vr).toBeLessThan(1e-9);
  });

  it('a group whose remaining values are all equal has var and std exactly 0, as pandas gives', () => {
    // Welford's removal of 870.88 leaves a residue near 1e-10 in m2, which std turns into 1e-5.
    const ing = new Ingestor({ k: 'utf8', v: 'float64' });
    const w = new WindowedAggregation({ window: { n: 3 }, schema: ing.schema, dicts: ing.dicts, by: 'k', aggs: { v: ['mean', 'var', 'std'] } });
    const at = (k: string) => (toRows(w.result()) as Record<string, unknown>[]).find((r) => r.k === k)!;
    w.update(ing.ingest({ k: ['a', 'b', 'a'], v: [870.8808535971983, 5, 0] }));
    w.update(ing.ingest({ k: ['a', 'b'], v: [0, 1e-300] }));
    expect(at('a')).toEqual({ k: 'a', v_mean: 0, v_var: 0, v_std: 0 });
    // values that differ stay as Welford gives them: not forced to 0
    w.update(ing.ingest({ k: ['a'], v: [1e-6] }));
    expect(at('a').v_var).toBeGreaterThan(0);
  });

  it('rejects bad window specs', () => {
    const ing = new Ingestor({ v: 'float64', k: 'utf8' });
    expect(() => new WindowState({ n: -1 }, ing.schema, ing.dicts)).toThrow(/non-negative/);
    expect(() => new WindowState({ value: '10s', on: 'k' }, ing.schema, ing.dicts)).toThrow(/timestamp or numeric/);
    expect(() => new WindowState({ value: '10 parsecs', on: 'v' }, ing.schema, ing.dicts)).toThrow(/cannot parse duration/);
  });
});
