// The stream's string dictionary follows the strings still held: compacted between batches,
// holders' codes remapped, results the same as without compaction.
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFrame, Stream, isStateful, nodeIds, type Stateful } from '../../src/index.js';
import { dictionaryCompaction } from '../../src/dataframe/dictionary.js';
import { ipcRoundTrip, runs } from './helpers.js';

/** Property runs take long on a loaded 2-core machine, and SDF_FC_SCALE multiplies them. */
const LONG = 240_000 * Number(process.env.SDF_FC_SCALE ?? 1);

const example = { k: 'utf8', s: 'utf8', n: 'int32', v: 'float64', ts: 'timestamp' } as const;
type Row = { k: string | null; s: string | null; n: number | null; v: number; ts: number };

const defaultMinSize = dictionaryCompaction.minSize;
afterEach(() => void (dictionaryCompaction.minSize = defaultMinSize));

const columns = (rows: Row[]) => ({ k: rows.map((r) => r.k), s: rows.map((r) => r.s), n: rows.map((r) => r.n), v: Float64Array.from(rows, (r) => r.v), ts: rows.map((r) => r.ts) });

/** Every holder of codes there is: tumbling and hopping aggregates by one and two keys, string first/last/nunique, sessions, a cumulative groupby, a filter window, row windows. */
function build() {
  const source = new Stream<unknown>();
  const sdf = new DataFrame(source, { example });
  const outs = {
    tumbling: sdf.window({ tumbling: 10, on: 'ts', lateness: 5 }).groupby('k').agg({ s: ['first', 'last', 'nunique', 'count'], v: 'sum' }).name('tumbling'),
    hopping: sdf.window({ hopping: 10, slide: 4, on: 'ts' }).groupby(['k', 'n'], { dropna: false }).agg({ s: ['first', 'nunique'], v: 'max' }).name('hopping'),
    session: sdf.window({ session: 3, on: 'ts' }).groupby('s').agg({ k: 'last', v: 'count' }).name('session'),
    filtered: sdf.window({ tumbling: 10, on: 'ts' }).filter((rows) => rows.col('v').eq(rows.col('v').max())).name('filtered'),
    cumulative: sdf.groupby('n').agg({ s: 'last', k: 'first' }).name('cumulative'),
    rows: sdf.window({ n: 7 }).groupby('k').agg({ s: ['first', 'last', 'nunique'], v: 'sum' }).name('rows'),
    recent: sdf.window({ n: 5 }).full().name('recent'),
  };
  const logs: Record<string, string[]> = {};
  for (const [name, out] of Object.entries(outs)) {
    const log: string[] = (logs[name] = []);
    out.stream.sink((f) => void log.push(JSON.stringify(f.toRows({ timestamps: 'ms' }))));
  }
  return { source, sdf, logs };
}

const rowArb = fc.record({
  k: fc.option(fc.integer({ min: 0, max: 300 }).map((i) => `k${i}`), { freq: 8 }),
  s: fc.option(fc.integer({ min: 0, max: 2000 }).map((i) => `s${i}`), { freq: 8 }),
  n: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 8 }),
  v: fc.integer({ min: -20, max: 20 }),
  dt: fc.integer({ min: -3, max: 4 }),
});

describe('dictionary compaction', () => {
  it('gives the same results as no compaction, through restarts from snapshots', () => {
    let compactions = 0;
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 40, maxLength: 100, size: 'max' }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }), fc.nat(), (raw, sizes, cutAt) => {
        let t = 0;
        const rows: Row[] = raw.map(({ dt, ...r }) => ({ ...r, ts: (t += Math.max(0, dt)) + Math.min(0, dt) }));
        const batches: Row[][] = [];
        for (let i = 0, j = 0; i < rows.length; i += sizes[j++ % sizes.length]) batches.push(rows.slice(i, i + sizes[j % sizes.length]));
        const run = (minSize: number, cut: number) => {
          dictionaryCompaction.minSize = minSize;
          const first = build();
          batches.slice(0, cut).forEach((b) => first.source.emit(columns(b)));
          const states = new Map<string, arrow.Table>();
          for (const [node, id] of nodeIds(first.source)) if (isStateful(node)) states.set(id, ipcRoundTrip((node as Stateful<arrow.Table>).snapshot()));
          const second = build();
          for (const [node, id] of nodeIds(second.source)) if (states.has(id)) (node as unknown as Stateful<arrow.Table>).restore(states.get(id)!);
          batches.slice(cut).forEach((b) => second.source.emit(columns(b)));
          for (const [node] of nodeIds(second.source)) (node as { flush?: () => void }).flush?.();
          return { logs: Object.fromEntries(Object.keys(first.logs).map((name) => [name, [...first.logs[name], ...second.logs[name]]])), dicts: [first.sdf.dicts, second.sdf.dicts] };
        };
        const cut = cutAt % (batches.length + 1);
        const plain = run(Infinity, cut);
        const compacted = run(8, cut);
        expect(compacted.logs).toEqual(plain.logs);
        for (const d of compacted.dicts) if (d.k.size < plain.dicts[1].k.size || d.s.size < plain.dicts[1].s.size) compactions++;
      }),
      { numRuns: runs(20) },
    );
    expect(compactions).toBeGreaterThan(0);
  }, LONG);

  it('a window over never-repeating strings keeps its dictionary about the size of the strings it holds', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const counts = sdf.window({ hopping: 1000, slide: 250, on: 'ts' }).groupby('k').agg({ s: ['first', 'nunique'], v: 'sum' });
    let groups = 0;
    const wrong: unknown[] = [];
    counts.stream.sink((f) => {
      groups += f.length;
      for (const r of f.toRows()) if (r.v_sum !== 1 || r.s_nunique !== 1 || r.s_first !== `s-${(r.k as string).slice(4)}`) wrong.push(r);
    });
    let largest = 0;
    const batch = 500;
    for (let b = 0; b < 400; b++) {
      const rows: Row[] = Array.from({ length: batch }, (_, i) => {
        const id = b * batch + i;
        return { k: `key-${id}`, s: `s-${id}`, n: 0, v: 1, ts: id / 10 };
      });
      source.emit(columns(rows));
      largest = Math.max(largest, sdf.dicts.k.size, sdf.dicts.s.size);
    }
    // 200 000 distinct strings per column, a window holds 10 000 of them, compaction waits for 65 536.
    expect(largest).toBeLessThanOrEqual(defaultMinSize + batch);
    expect(sdf.dicts.k.holders().length).toBeLessThan(20); // the open windows' panes, not every pane there was
    // Every row is in size/slide = 4 windows, each key in one row: each window's groups are its rows, decoded right.
    expect(wrong).toEqual([]);
    expect(groups).toBeGreaterThan(4 * 190_000);
  }, LONG);

  it('a row window over never-repeating strings keeps its dictionary about the size of the strings it holds', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const recent = sdf.window({ n: 3000 }).groupby('k').agg({ s: ['first', 'nunique'], v: 'sum' });
    const last = sdf.window({ n: 1000 }).full();
    let counts: Record<string, unknown>[] = [];
    let rows: Record<string, unknown>[] = [];
    recent.stream.sink((f) => void (counts = f.toRows()));
    last.stream.sink((f) => void (rows = f.toRows()));
    let largest = 0;
    const batch = 500;
    const batches = 400;
    for (let b = 0; b < batches; b++) {
      const rows: Row[] = Array.from({ length: batch }, (_, i) => {
        const id = b * batch + i;
        return { k: `key-${id}`, s: `s-${id}`, n: 0, v: 1, ts: id };
      });
      source.emit(columns(rows));
      largest = Math.max(largest, sdf.dicts.k.size, sdf.dicts.s.size);
    }
    // 200 000 distinct strings per column, the windows hold 3 000 of them, compaction waits for 65 536.
    expect(largest).toBeLessThanOrEqual(defaultMinSize + batch);
    const total = batch * batches;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => total - n + i);
    expect(counts.map((r) => [r.k, r.s_first, r.s_nunique, r.v_sum])).toEqual(ids(3000).map((id) => [`key-${id}`, `s-${id}`, 1, 1]).sort());
    expect(rows.map((r) => [r.k, r.s])).toEqual(ids(1000).map((id) => [`key-${id}`, `s-${id}`]));
  }, LONG);

  it('compacts a dictionary a row window holds, and its results stay right', () => {
    dictionaryCompaction.minSize = 8;
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const recent = sdf.window({ n: 3 }).groupby('k').agg({ v: 'sum', s: 'nunique' });
    const got: unknown[] = [];
    recent.stream.sink((f) => void got.push(f.toRows()));
    const dict = sdf.dicts.k;
    for (let i = 0; i < 200; i++) source.emit(columns([{ k: `k${i}`, s: `s${i % 2}`, n: 0, v: i, ts: i }]));
    expect(sdf.dicts.k).not.toBe(dict);
    expect(sdf.dicts.k.size).toBeLessThan(150); // its groups (at most 2 × 3 + 64) and the window's 3 rows, since the last compaction
    expect(got.at(-1)).toEqual([
      { k: 'k197', v_sum: 197, s_nunique: 1 },
      { k: 'k198', v_sum: 198, s_nunique: 1 },
      { k: 'k199', v_sum: 199, s_nunique: 1 },
    ]);
  });
});
