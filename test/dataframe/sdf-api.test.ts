// The DataFrame stream API on small hand-checked inputs: every method of issue 3, batch kinds, conversions.
import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { DataFrame, Frame, Random, Stream, VirtualClock, isStateful, walk, type Stateful } from '../../src/index.js';

const t0 = Date.UTC(2024, 0, 1);
const example = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;
type B = { k: (string | null)[]; v: Float64Array | number[]; ts: number[] };

function setup() {
  const source = new Stream<unknown>();
  const sdf = new DataFrame(source, { example });
  return { source, sdf };
}
/** Collect a DataFrame's result frames as row objects (timestamps in ms). */
const rowsOf = (df: DataFrame<any>) => {
  const out: Record<string, unknown>[][] = [];
  df.stream.sink((f) => void out.push(f.toRows({ timestamps: 'ms' })));
  return out;
};
const b1: B = { k: ['a', 'b', 'a'], v: Float64Array.of(1, 2, 3), ts: [t0, t0 + 1000, t0 + 2000] };
const b2: B = { k: ['b', 'c'], v: [0.25, 4], ts: [t0 + 12_000, t0 + 13_000] };

describe('DataFrame stream API', () => {
  it('filter + assign: lazy expressions, two nodes', () => {
    const { source, sdf } = setup();
    const out = sdf.filter(sdf.col('v').gt(0.5).and(sdf.col('k').ne('c'))).assign({ w: sdf.col('v').mul(2).add(1), c: 'x' });
    const got = rowsOf(out);
    source.emit(b1);
    source.emit(b2);
    expect(got[0].map((r) => r.w)).toEqual([3, 5, 7]);
    expect(got[1]).toEqual([]);
    expect(out.schema).toEqual({ k: 'utf8', v: 'float64', ts: 'timestamp', w: 'float64', c: 'utf8' });
    expect(sdf.stream.describe().nodes.map((n) => n.kind)).toEqual(['stream', 'sdfIngest', 'sdfFilter', 'sdfAssign', 'sink']);
  });

  it('comparisons, arithmetic, abs, round, astype, select', () => {
    const { source, sdf } = setup();
    const v = sdf.col('v');
    const got = rowsOf(
      sdf
        .assign({ lt: v.lt(2), le: v.le(2), ge: v.ge(2), eq: v.eq(2), neg: v.sub(2.5).abs(), r: v.div(3).round(2), i: v.astype('int32'), n: v.gt(2).not(), o: v.lt(2).or(v.gt(2)) })
        .select(['lt', 'le', 'ge', 'eq', 'neg', 'r', 'i', 'n', 'o']),
    );
    source.emit(b1);
    expect(got[0]).toEqual([
      { lt: true, le: true, ge: false, eq: false, neg: 1.5, r: 0.33, i: 1, n: true, o: true },
      { lt: false, le: true, ge: true, eq: true, neg: 0.5, r: 0.67, i: 2, n: true, o: false },
      { lt: false, le: false, ge: true, eq: false, neg: 0.5, r: 1, i: 3, n: false, o: true },
    ]);
  });

  it('cumulative groupby emits the full table after each batch; agg flattens names', () => {
    const { source, sdf } = setup();
    const sums = rowsOf(sdf.groupby('k').col('v').sum());
    const aggs = rowsOf(sdf.groupby(['k']).agg({ v: ['sum', 'mean', 'max'], ts: 'last' }));
    const counts = rowsOf(sdf.groupby('k').col('v').agg(['count', 'nunique', 'first']));
    source.emit(b1);
    source.emit(b2);
    expect(sums).toEqual([
      [{ k: 'a', v: 4 }, { k: 'b', v: 2 }],
      [{ k: 'a', v: 4 }, { k: 'b', v: 2.25 }, { k: 'c', v: 4 }],
    ]);
    expect(aggs[1][1]).toEqual({ k: 'b', v_sum: 2.25, v_mean: 1.125, v_max: 2, ts_last: t0 + 12_000 });
    expect(counts[1][0]).toEqual({ k: 'a', v_count: 2, v_nunique: 2, v_first: 1 });
  });

  it('windowed aggregations: last n rows, last 10 s of event time', () => {
    const { source, sdf } = setup();
    const byN = rowsOf(sdf.window({ n: 3 }).groupby('k').col('v').mean());
    const byT = rowsOf(sdf.window({ value: '10s', on: 'ts' }).col('v').sum());
    const full = rowsOf(sdf.window({ n: 2 }).full());
    source.emit(b1);
    source.emit(b2);
    expect(byN[1]).toEqual([{ k: 'a', v: 3 }, { k: 'b', v: 0.25 }, { k: 'c', v: 4 }]); // 'a' row 3, b 0.25, c 4
    expect(byT).toEqual([[{ v: 6 }], [{ v: 4.25 }]]); // ts in (13s - 10s, 13s]
    expect(full[1].map((r) => r.v)).toEqual([0.25, 4]);
  });

  it('rolling(n) defaults to minPeriods n as pandas (streamz passes none); rolling(duration), expanding, ewm, cum*', () => {
    const { source, sdf } = setup();
    const v = sdf.col('v');
    const r = rowsOf(v.rolling(2).mean());
    const rp = rowsOf(v.rolling(2, { minPeriods: 2 }).sum());
    const rt = rowsOf(v.rolling('1500ms').agg(['sum', 'count']));
    const ex = rowsOf(v.expanding().max());
    const ew = rowsOf(v.ewm({ alpha: 0.5 }).mean());
    const cs = rowsOf(v.cumsum());
    const cm = rowsOf(v.cummax());
    source.emit(b1);
    source.emit(b2);
    expect(r.flat().map((x) => x.v)).toEqual([NaN, 1.5, 2.5, 1.625, 2.125]);
    expect(rp.flat().map((x) => x.v)).toEqual([NaN, 3, 5, 3.25, 4.25]);
    expect(rt.flat()).toEqual([
      { v_sum: 1, v_count: 1 },
      { v_sum: 3, v_count: 2 },
      { v_sum: 5, v_count: 2 },
      { v_sum: 0.25, v_count: 1 },
      { v_sum: 4.25, v_count: 2 },
    ]);
    expect(ex.flat().map((x) => x.v)).toEqual([1, 2, 3, 3, 4]);
    expect(ew[0].map((x) => x.v)).toEqual([1, 5 / 3, 17 / 7]); // adjust=true weights 1, 1/2, 1/4
    expect(cs.flat().map((x) => x.v)).toEqual([1, 3, 6, 6.25, 10.25]);
    expect(cm.flat().map((x) => x.v)).toEqual([1, 2, 3, 3, 4]);
  });

  it('series aggregations, expressions as series, valueCounts, nlargest', () => {
    const { source, sdf } = setup();
    const total = rowsOf(sdf.col('v').mul(10).sum());
    const named = rowsOf(sdf.col('v').alias('value').max());
    const vc = rowsOf(sdf.col('k').valueCounts());
    const top = rowsOf(sdf.col('v').nlargest(2));
    const topBy = rowsOf(sdf.groupby('k').col('v').nlargest(1));
    const topWin = rowsOf(sdf.window({ n: 2 }).col('v').nlargest(1));
    const whole = rowsOf(sdf.sum());
    source.emit(b1);
    source.emit(b2);
    expect(total[1]).toEqual([{ v: 102.5 }]);
    expect(named[1]).toEqual([{ value: 4 }]);
    expect(vc[1]).toEqual([{ k: 'a', count: 2 }, { k: 'b', count: 2 }, { k: 'c', count: 1 }]);
    expect(top[1]).toEqual([{ v: 4 }, { v: 3 }]);
    expect(topBy[1]).toEqual([{ k: 'a', v: 3 }, { k: 'b', v: 2 }, { k: 'c', v: 4 }]);
    expect(topWin[1]).toEqual([{ v: 4 }]);
    expect(whole[1]).toEqual([{ v: 10.25 }]);
  });

  it('mapPartitions and accumulatePartitions (with state that snapshots as Arrow)', () => {
    const { source, sdf } = setup();
    const doubled = rowsOf(sdf.mapPartitions((f) => ({ n: [f.length] })));
    const acc = sdf.accumulatePartitions((a, f) => ({ rows: [(a.get('rows', 0) as number) + f.length] }), { start: { rows: [0] } });
    const accRows = rowsOf(acc);
    source.emit(b1);
    source.emit(b2);
    expect(doubled).toEqual([[{ n: 3 }], [{ n: 2 }]]);
    expect(accRows).toEqual([[{ rows: 3 }], [{ rows: 5 }]]);
    const node = acc.stream as unknown as { snapshot(): arrow.Table; restore(t: arrow.Table): void };
    const snap = node.snapshot();
    expect(snap).toBeInstanceOf(arrow.Table);
    source.emit(b1);
    node.restore(snap);
    source.emit(b2);
    expect(accRows.at(-1)).toEqual([{ rows: 7 }]);
  });

  it('accepts column objects, row objects, Arrow tables and danfo DataFrames', async () => {
    const { source, sdf } = setup();
    const got = rowsOf(sdf);
    const rows = [{ k: 'a', v: 1, ts: t0 }, { k: null, v: 2, ts: t0 + 1 }];
    source.emit({ k: ['a', null], v: [1, 2], ts: [t0, t0 + 1] });
    source.emit(rows);
    source.emit(new arrow.Table({ k: arrow.vectorFromArray(['a', null]), v: arrow.vectorFromArray([1, 2], new arrow.Float64()), ts: arrow.vectorFromArray([t0, t0 + 1], new arrow.Float64()) }));
    const dfd = await import('danfojs');
    source.emit(new dfd.DataFrame({ k: ['a', 'x'], v: [1, 2], ts: [t0, t0 + 1] }));
    expect(got.slice(0, 3)).toEqual([rows, rows, rows]);
    expect(got[3][1].k).toBe('x');
  });

  it('result frames convert with toArrow, toRows, toColumns, toDanfo', async () => {
    const { source, sdf } = setup();
    const frames: Frame[] = [];
    sdf.groupby('k').col('v').sum().stream.sink((f) => void frames.push(f));
    source.emit(b1);
    const f = frames[0];
    expect(f.toArrow().numRows).toBe(2);
    expect(f.toArrow().getChild('v')!.toArray()).toEqual(Float64Array.of(4, 2));
    expect(f.toColumns()).toEqual({ k: ['a', 'b'], v: Float64Array.of(4, 2) });
    expect(f.toRows()).toEqual([{ k: 'a', v: 4 }, { k: 'b', v: 2 }]);
    const df = (await f.toDanfo()) as { columns: string[]; shape: number[] };
    expect(df.columns).toEqual(['k', 'v']);
    expect(df.shape).toEqual([2, 2]);
  });

  it('start: an aggregation continues from a given snapshot (streamz start=)', () => {
    const { source, sdf } = setup();
    const first = sdf.groupby('k').col('v').sum();
    source.emit(b1);
    const snap = (first.stream as unknown as { snapshot(): arrow.Table }).snapshot();
    const s2 = setup();
    const resumed = rowsOf(s2.sdf.groupby('k').col('v').sum({ start: snap }));
    s2.source.emit(b2);
    expect(resumed[0]).toEqual([{ k: 'a', v: 4 }, { k: 'b', v: 2.25 }, { k: 'c', v: 4 }]);
  });

  it('every stateful SDF node is Stateful with an Arrow snapshot', () => {
    const { source, sdf } = setup();
    const v = sdf.col('v');
    [sdf.groupby('k').col('v').sum(), sdf.window({ n: 2 }).col('v').mean(), sdf.window({ n: 2 }).full(), v.rolling(3).mean(), v.expanding().sum(), v.ewm({ span: 3 }).mean(), v.cumprod(), sdf.col('k').valueCounts(), v.nlargest(1), sdf.accumulatePartitions((a) => a, { start: { x: [1] } })];
    source.emit(b1);
    const stateful = walk(source).filter(isStateful) as unknown as Stateful[];
    expect(stateful).toHaveLength(10);
    for (const n of stateful) expect(n.snapshot()).toBeInstanceOf(arrow.Table);
  });

  it('names reach the graph (checkpoint ids)', () => {
    const { sdf } = setup();
    const s = sdf.groupby('k').col('v').sum({ name: 'totals' });
    expect(s.stream.id).toBe('totals');
    expect(sdf.col('v').cumsum().name('running').stream.id).toBe('running');
  });

  it('bad expressions fail when the pipeline is built', () => {
    const { sdf } = setup();
    expect(() => sdf.filter(sdf.col('v').mul(2) as never)).toThrow(/not bool/);
    expect(() => sdf.col('nope' as 'v')).toThrow(/no column "nope"/);
    expect(() => sdf.groupby('nope' as 'k')).toThrow(/no column "nope"/);
    expect(() => sdf.col('v').rolling('5s', { on: 'v' }).mean()).not.toThrow();
    expect(() => sdf.col('v').ewm({})).toThrow(/exactly one of/);
    expect(() => sdf.window({ n: -1 })).toThrow(/non-negative/);
  });
});

describe('Random (streamz demo source)', () => {
  const collect = async (r: Random, clock: VirtualClock, ms: number) => {
    const out: Frame[] = [];
    r.sink((f) => void out.push(f));
    void r.start();
    // Small steps: a source may yield to the event loop between emits, after the clock's own turn.
    for (let t = 0; t < ms; t += 100) await clock.advance(100);
    return out;
  };

  it('emits timestamp, x, y, z frames every interval on the clock', async () => {
    const clock = new VirtualClock(t0);
    const r = new Random({ freq: '100ms', interval: '500ms', seed: 1, clock });
    const out = await collect(r, clock, 1600);
    r.stop();
    expect(out).toHaveLength(3);
    expect(out[0].schema).toEqual({ timestamp: 'timestamp', x: 'float64', y: 'int32', z: 'float64' });
    expect(out.map((f) => f.length)).toEqual([5, 5, 5]);
    expect(out[1].get('timestamp', 0)).toBe(t0 + 600);
    const sdf = new DataFrame(r, { example: { timestamp: 'timestamp', x: 'float64', y: 'int32', z: 'float64' } });
    expect(sdf.col('x').sum()).toBeDefined();
  });

  it('is Seekable: a restart from its position continues the same sequence', async () => {
    const clockA = new VirtualClock(t0);
    const a = new Random({ seed: 9, clock: clockA, batches: 6 });
    const all = await collect(a, clockA, 5000);
    expect(all).toHaveLength(6);

    const clockB = new VirtualClock(t0);
    const b = new Random({ seed: 9, clock: clockB });
    const first = await collect(b, clockB, 1200);
    b.stop();
    const pos = JSON.parse(JSON.stringify(b.position())); // through JSON, as a checkpoint stores it
    const clockC = new VirtualClock(0); // another process, another clock
    const c = new Random({ seed: 9, clock: clockC, batches: 6 });
    c.seek(pos);
    const rest = await collect(c, clockC, 5000);
    expect([...first, ...rest].map((f) => f.toRows({ timestamps: 'ms' }))).toEqual(all.map((f) => f.toRows({ timestamps: 'ms' })));
  });
});
