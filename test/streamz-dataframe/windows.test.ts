// Ports of streamz/dataframe/tests/test_dataframes.py: groupby aggregations, windows (by rows and
// by time), custom aggregations. streamz windows a DatetimeIndex; here time windows read a
// timestamp column `ts` (no index: see README.md). Expected values: fixtures/expected.json.
import { describe, expect, it } from 'vitest';
import { type Aggregation, type Frame } from '../../src/index.js';
import { checkHourlyWindows, df123, expected, exampleXY, iloc, nan, range, rowsOf, setup, toBeCloseRows, valuesOf, VALUE_FUNCS } from './helpers.js';


describe('streamz test_dataframes: groupby', () => {
  const df = { x: range(10).map((i) => Math.floor(i / 2)), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
  const aggs: [string, (g: any) => any][] = [
    ['sum', (g) => g.sum()],
    ['mean', (g) => g.mean()],
    ['count', (g) => g.count()],
    ['var', (g) => g.var({ ddof: 1 })],
    ['std', (g) => g.std()],
  ];
  const indexers: [string, (g: any, op: string, agg: (g: any) => any) => any][] = [
    ['g.y', (g, _op, agg) => agg(g.col('y'))],
    ['g[["y"]]', (g, op) => g.agg({ y: [op] })],
  ];
  for (const [op, agg] of aggs) {
    for (const [iname, indexer] of indexers) {
      for (const grouper of ['x', ['x']] as const) {
        it(`test_groupby_aggregate (${op}, grouper ${JSON.stringify(grouper)}, ${iname})`, () => {
          const { source, sdf } = setup(exampleXY);
          const L = rowsOf(indexer(sdf.groupby(grouper as 'x'), op === 'var' || op === 'std' ? op : op, agg));
          source.emit(iloc(df, 0, 3));
          source.emit(iloc(df, 3, 7));
          source.emit(iloc(df, 7));
          const { first, last } = nan(expected.groupby_aggregate[op]) as Record<string, Record<string, unknown>[]>;
          const rename = (rows: Record<string, unknown>[]) => rows.map((r) => ({ x: r.x, y: r.y ?? r.y_var ?? r[`y_${op}`] }));
          expect(L.length).toBeGreaterThan(2);
          toBeCloseRows(rename(L[0]), first);
          toBeCloseRows(rename(L.at(-1)!), last);
        });
      }
    }
  }
});

describe('streamz test_dataframes: windows', () => {
  it('test_window_sum', () => {
    const { source, sdf } = setup(exampleXY);
    const L = valuesOf(sdf.window({ n: 4 }).col('x').sum(), 'x');
    source.emit(df123);
    expect(L).toEqual([6]);
    source.emit(df123);
    expect(L).toEqual([6, 9]);
    source.emit(df123);
    expect(L).toEqual([6, 9, 9]);
  });

  it('test_window_sum_dataframe', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.window({ n: 4 }).sum());
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 6, y: 15 }]);
    source.emit(df123);
    source.emit(df123);
    expect(L).toEqual([[{ x: 6, y: 15 }], [{ x: 9, y: 21 }], [{ x: 9, y: 21 }]]);
  });

  const wfuncs: [string, (w: any) => any][] = [
    ['sum', (w) => w.sum()],
    ['mean', (w) => w.mean()],
    ['count', (w) => w.count()],
    ['size', (w) => w.size()],
    ['var1', (w) => w.var({ ddof: 1 })],
    ['std1', (w) => w.std({ ddof: 1 })],
    ['var0', (w) => w.var({ ddof: 0 })],
  ];
  for (const n of [1, 4]) {
    for (const [op, func] of wfuncs) {
      for (const getter of ['x', 'frame'] as const) {
        it(`test_windowing_n (${op}, n=${n}, getter ${getter})`, () => {
          const df = { x: range(10), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
          const { source, sdf } = setup(exampleXY);
          const plus10 = sdf.assign({ x: sdf.col('x').add(10), y: sdf.col('y').add(10) });
          const win = plus10.window({ n });
          const out = getter === 'x' ? func(win.col('x')) : func(win);
          const L = rowsOf(out);
          for (let i = 0; i < 10; i += 3) source.emit(iloc(df, i, i + 3));
          source.emit(iloc(df, 0, 0));
          expect(L).toHaveLength(5);
          const want = nan(expected.windowing_n[`${n}-${op}`][getter]) as unknown[];
          const got = [L[0], L.at(-1)!].map((rows) => (getter === 'x' ? rows[0].x : op === 'size' ? rows[0].size : rows[0]));
          got.forEach((g, i) => {
            if (typeof want[i] === 'object') toBeCloseRows([g as Record<string, unknown>], [want[i] as Record<string, unknown>]);
            else toBeCloseRows([{ v: g }], [{ v: want[i] }]);
          });
        });
      }
    }
  }

  const gfuncs: [string, (g: any) => any][] = [
    ['sum', (g) => g.sum()],
    ['mean', (g) => g.mean()],
    ['count', (g) => g.count()],
    ['size', (g) => g.size()],
    ['var1', (g) => g.var({ ddof: 1 })],
    ['std1', (g) => g.std({ ddof: 1 })],
    ['var0', (g) => g.var({ ddof: 0 })],
  ];
  for (const n of [1, 4]) {
    for (const [op, func] of gfuncs) {
      for (const grouper of ['y', ['y']] as const) {
        it(`test_groupby_windowing_n (${op}, n=${n}, grouper ${JSON.stringify(grouper)}, indexer x)`, () => {
          const df = { x: range(10), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
          const { source, sdf } = setup(exampleXY);
          const L = rowsOf(func(sdf.window({ n }).groupby(grouper as 'y').col('x')));
          for (let i = 0; i < 10; i += 3) source.emit(iloc(df, i, i + 3));
          source.emit(iloc(df, 0, 0));
          expect(L).toHaveLength(5);
          const [first, last] = nan(expected.groupby_windowing_n[`${n}-${op}`]) as Record<string, unknown>[][];
          toBeCloseRows(L[0], first);
          toBeCloseRows(L.at(-1)!, last);
        });
      }
    }
  }

  for (const value of ['10h', '1d']) {
    for (const [op, func] of VALUE_FUNCS) {
      for (const grouper of ['y', ['y']] as const) {
        it(`test_groupby_windowing_value (${op}, ${value}, grouper ${JSON.stringify(grouper)}, indexer x)`, () => {
          checkHourlyWindows((sdf) => func(sdf.window({ value, on: 'ts' }).groupby(grouper as 'y').col('x')), expected.groupby_windowing_value[`${value}-${op}`]);
        });
      }
    }
  }

  it('test_windowing_value_empty_intermediate_index', () => {
    const t = (h: number) => Date.UTC(2050, 0, 1, h);
    const { source, sdf } = setup({ amount: 'float64', ts: 'timestamp' } as const);
    const onlyFives = sdf.filter(sdf.col('amount').eq(5));
    const output = valuesOf(onlyFives.window({ value: '2h', on: 'ts' }).col('amount').sum(), 'amount');
    const batches = [[1, 2, 3], [5, 5, 5], [4, 5, 6], [1, 2, 3], [5, 5, 5]];
    batches.forEach((amount, b) => source.emit({ amount, ts: [0, 1, 2].map((i) => t(3 * b + i)) }));
    expect(output).toEqual([0, 10, 5, 5, 10]);
  });

  it('test_window_full', () => {
    const df = { x: range(10), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.window({ n: 4 }).full());
    source.emit(iloc(df, 0, 3));
    source.emit(iloc(df, 3, 8));
    source.emit(iloc(df, 8));
    const rows = (s: number, e: number) => range(e - s).map((i) => ({ x: s + i, y: (s + i) % 2 ? 2 : 1 }));
    expect(L[0]).toEqual(rows(0, 3));
    expect(L[1]).toEqual(rows(4, 8));
    expect(L[2]).toEqual(rows(6, 10));
  });

  it('test_custom_aggregation', () => {
    const df = { x: range(10), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
    const custom: Aggregation<number, number> = {
      initial: () => 0,
      onNew: (state, _new: Frame) => [state + 1, state],
      onOld: (state, _old: Frame) => [state - 100, state],
    };
    let s = setup(exampleXY);
    let L = s.sdf.aggregate(custom).sinkToList();
    for (let i = 0; i < 3; i++) s.source.emit(df);
    expect(L).toEqual([0, 1, 2]);
    s = setup(exampleXY);
    L = s.sdf.window({ n: 5 }).aggregate(custom).sinkToList();
    for (let i = 0; i < 3; i++) s.source.emit(df);
    expect(L).toEqual([1, -198, -397]);
  });

  it('a custom aggregation restarts from its snapshot (cumulative: JSON; windowed: the rows and the state)', () => {
    const df = { x: range(10), y: range(10).map((i) => (i % 2 ? 2 : 1)) };
    const rows: Aggregation<number, number> = {
      initial: () => 0,
      onNew: (n, b) => [n + b.length, n + b.length],
      onOld: (n, o) => [n - o.length, n - o.length],
    };
    for (const windowed of [false, true]) {
      const build = () => {
        const s = setup(exampleXY);
        const node = windowed ? s.sdf.window({ n: 4 }).aggregate(rows) : s.sdf.aggregate(rows);
        return { ...s, node, out: node.sinkToList() };
      };
      const full = build();
      for (let i = 0; i < 10; i += 3) full.source.emit(iloc(df, i, i + 3));
      const before = build();
      for (let i = 0; i < 6; i += 3) before.source.emit(iloc(df, i, i + 3));
      const after = build();
      (after.node as unknown as { restore(s: unknown): void }).restore((before.node as unknown as { snapshot(): unknown }).snapshot());
      for (let i = 6; i < 10; i += 3) after.source.emit(iloc(df, i, i + 3));
      expect([...before.out, ...after.out]).toEqual(full.out);
    }
  });
});
