// Ports of streamz/dataframe/tests/test_dataframes.py: construction, reductions, operators,
// assign (setitem), cumulative aggregations, tail, updating tables, DataFrames and start states.
// Expected values confirmed with streamz 0.6.4 + pandas 1.5.3 (see README.md).
import { describe, expect, it } from 'vitest';
import { DataFrame, DataFrames, NodeError, Stream } from '../../src/index.js';
import { df123, exampleXY, iloc, rowsOf, setup, valuesOf } from './helpers.js';

describe('streamz test_dataframes: basics', () => {
  it('test_identity', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf);
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 1, y: 4 }, { x: 2, y: 5 }, { x: 3, y: 6 }]);
    expect(sdf.columns).toEqual(['x', 'y']);
    const L2 = rowsOf(sdf.col('x').toFrame());
    expect(L2).toEqual([]);
    source.emit(df123);
    expect(L2[0]).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
  });

  it('test_dtype (deliberate difference: the example is a schema)', () => {
    const { sdf } = setup({ x: 'int32', y: 'float64' } as const);
    expect(sdf.schema).toEqual({ x: 'int32', y: 'float64' });
    expect(sdf.col('x').dtype).toBe('int32');
  });

  it('test_attributes', () => {
    const { sdf } = setup(exampleXY);
    expect(sdf.col('x')).toBeDefined();
    // @ts-expect-error: no column z
    expect(() => sdf.col('z')).toThrow(/z/);
  });

  it('test_exceptions', () => {
    const { source } = setup(exampleXY);
    expect(() => source.emit(1)).toThrow(NodeError);
    expect(() => source.emit({ x: [1] })).toThrow(/y/); // a batch without the example's columns
  });

  const reductions = {
    sum: [12, 30, 12],
    mean: [2, 5, 2],
    count: [6, 6, 6],
  } as const;
  it.each(Object.entries(reductions))('test_reductions (%s)', (op, [x, y, sx]) => {
    for (const empty of [false, true]) {
      const { source, sdf } = setup(exampleXY);
      const dfOut = rowsOf((sdf as any)[op]());
      const xOut = valuesOf((sdf.col('x') as any)[op](), 'x');
      if (empty) source.emit(iloc(df123, 0, 0));
      source.emit(df123);
      source.emit(df123);
      expect(dfOut.at(-1)).toEqual([{ x, y }]);
      expect(xOut.at(-1)).toBe(sx);
    }
  });

  it('test_reductions (size)', () => {
    const { source, sdf } = setup(exampleXY);
    const dfOut = valuesOf(sdf.size(), 'size');
    const xOut = valuesOf(sdf.col('x').size(), 'x');
    source.emit(df123);
    source.emit(df123);
    expect(dfOut.at(-1)).toBe(12); // pandas: rows × columns
    expect(xOut.at(-1)).toBe(6);
  });

  // op(x, 2) and op(2, x) as pandas gives them; reflected forms of non-commutative operators
  // (2 - x, 2 / x) and mod/floordiv/pow are h-eventtime's (dataframe/expr.ts).
  const binary: [string, (x: any) => any, (x: any) => any, unknown[], unknown[]][] = [
    ['add', (x) => x.add(2), (x) => x.add(2), [3, 4, 5], [3, 4, 5]],
    ['eq', (x) => x.eq(2), (x) => x.eq(2), [false, true, false], [false, true, false]],
    ['ge', (x) => x.ge(2), (x) => x.le(2), [false, true, true], [true, true, false]],
    ['gt', (x) => x.gt(2), (x) => x.lt(2), [false, false, true], [true, false, false]],
    ['le', (x) => x.le(2), (x) => x.ge(2), [true, true, false], [false, true, true]],
    ['lt', (x) => x.lt(2), (x) => x.gt(2), [true, false, false], [false, false, true]],
    ['mul', (x) => x.mul(2), (x) => x.mul(2), [2, 4, 6], [2, 4, 6]],
    ['ne', (x) => x.ne(2), (x) => x.ne(2), [true, false, true], [true, false, true]],
    ['sub', (x) => x.sub(2), (x) => x.mul(-1).add(2), [-1, 0, 1], [1, 0, -1]],
    ['truediv', (x) => x.div(2), (x) => x.rdiv(2), [0.5, 1, 1.5], [2, 1, 2 / 3]],
  ];
  it.each(binary)('test_binary_operators (%s, getter x)', (_, left, right, l, r) => {
    const { source, sdf } = setup(exampleXY);
    const li = rowsOf(left(sdf.col('x')).toFrame());
    const rExpr = right(sdf.col('x'));
    const ri = rExpr === null ? null : rowsOf(rExpr.toFrame());
    source.emit(df123);
    expect(li[0].map((row) => row.x)).toEqual(l);
    if (ri !== null) expect(ri[0].map((row) => row.x)).toEqual(r);
  });

  it('test_unary_operators (abs, astype, map, not)', () => {
    const { source, sdf } = setup(exampleXY);
    const x = sdf.col('x');
    const abs = rowsOf(x.mul(-1).abs().toFrame());
    const asFloat = rowsOf(x.astype('float64').toFrame());
    const mapped = rowsOf(x.map((v) => v + 1).toFrame());
    const not = rowsOf(x.gt(1).not().toFrame());
    source.emit(df123);
    expect(abs[0].map((r) => r.x)).toEqual([1, 2, 3]);
    expect(asFloat[0].map((r) => r.x)).toEqual([1, 2, 3]);
    expect(mapped[0].map((r) => r.x)).toEqual([2, 3, 4]);
    expect(not[0].map((r) => r.x)).toEqual([true, false, false]);
  });

  it('test_dataframe_simple (query)', () => {
    const { source, sdf } = setup(exampleXY);
    const x = sdf.col('x');
    const L = rowsOf(sdf.filter(x.gt(1).and(x.lt(4))));
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 2, y: 5 }, { x: 3, y: 6 }]);
  });

  it('test_dataframe_simple (value_counts().nlargest(2), labelled)', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.col('x').valueCounts().nlargest(2, 'count'));
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 1, count: 1 }, { x: 2, count: 1 }]);
  });

  it('test_binary_stream_operators', () => {
    const { source, sdf } = setup(exampleXY);
    const b = rowsOf(sdf.col('x').add(sdf.col('y')).toFrame());
    source.emit(df123);
    expect(b[0].map((r) => r.x)).toEqual([5, 7, 9]);
  });

  it('test_pair_arithmetic', () => {
    const df = { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], y: Array(10).fill(1) };
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.col('x').add(sdf.col('y')).mul(2).toFrame());
    source.emit(iloc(df, 0, 5));
    source.emit(iloc(df, 5));
    expect(L.flat().map((r) => r.x)).toEqual(df.x.map((x) => (x + 1) * 2));
  });

  it('test_getitem', () => {
    const df = { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], y: Array(10).fill(1) };
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.filter(sdf.col('x').gt(4)));
    source.emit(iloc(df, 0, 5));
    source.emit(iloc(df, 5));
    expect(L).toHaveLength(2);
    expect(L.flat().map((r) => r.x)).toEqual([5, 6, 7, 8, 9]);
  });

  it('test_value_counts', () => {
    const s = { v: ['a', 'b', 'a'] };
    const { source, sdf } = setup({ v: 'utf8' } as const);
    const result = rowsOf(sdf.col('v').valueCounts());
    source.emit(s);
    source.emit(s);
    expect(result.at(-1)).toEqual([{ v: 'a', count: 4 }, { v: 'b', count: 2 }]);
  });

  it('test_repr', () => {
    const { sdf } = setup(exampleXY);
    expect(String(sdf)).toMatch(/DataFrame.*x.*y/);
    expect(String(sdf.col('x'))).toMatch(/Series.*x/);
    expect(String(sdf.col('x').sum())).toMatch(/DataFrame.*x/);
  });

  it('test_setitem', () => {
    const df = { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], y: Array(10).fill(1) };
    const { source, sdf } = setup(exampleXY);
    const set = sdf.assign({ z: sdf.col('x').mul(2), a: 10, c: sdf.col('x'), d: sdf.col('y') });
    const L = rowsOf(set.mean());
    source.emit(iloc(df, 0, 3));
    source.emit(iloc(df, 3, 7));
    source.emit(iloc(df, 7));
    expect(L.at(-1)).toEqual([{ x: 4.5, y: 1, z: 9, a: 10, c: 4.5, d: 1 }]);
  });

  it('test_setitem_overwrites', () => {
    const df = { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const { source, sdf } = setup({ x: 'float64' } as const);
    const L = rowsOf(sdf.assign({ x: sdf.col('x').mul(2) }));
    source.emit(iloc(df, 0, 3));
    source.emit(iloc(df, 3, 7));
    source.emit(iloc(df, 7));
    expect(L.at(-1)).toEqual([{ x: 14 }, { x: 16 }, { x: 18 }]);
  });

  it('test_stream_to_dataframe', () => {
    const source = new Stream<unknown>();
    const L = valuesOf(new DataFrame(source, { example: exampleXY }).col('x').sum(), 'x');
    for (let i = 0; i < 3; i++) source.emit(df123);
    expect(L).toEqual([6, 12, 18]);
  });

  it('test_integration_from_stream (aggregating an aggregate: an updating table)', () => {
    const source = new Stream<string>();
    const batches = source.partition(4).map((lines) => lines.map((l) => JSON.parse(l) as { x: number; y: number }));
    const sdf = new DataFrame(batches, { example: exampleXY });
    const result = sdf.groupby('x').col('y').sum().col('y').mean();
    const L = valuesOf(result, 'y');
    for (let i = 0; i < 12; i++) source.emit(JSON.stringify({ x: i % 3, y: i }));
    expect(L).toEqual([2, 28 / 3, 22.0]);
  });

  it('test_to_frame', () => {
    const { sdf } = setup(exampleXY);
    expect(sdf.toFrame()).toBe(sdf);
    const a = sdf.col('x').toFrame();
    expect(a).toBeInstanceOf(DataFrame);
    expect(a.columns).toEqual(['x']);
  });

  it('test_instantiate_with_dict (assign + select; y % 2 is h-eventtime\'s mod, here y - 4)', () => {
    const { source, sdf } = setup(exampleXY);
    const sdf2 = sdf.assign({ a: sdf.col('x'), b: sdf.col('x').mul(2), c: sdf.col('y').sub(4) }).select(['a', 'b', 'c']);
    const L = rowsOf(sdf2);
    expect(sdf2.columns).toHaveLength(3);
    source.emit(df123);
    source.emit(df123);
    expect(L).toHaveLength(2);
    for (const x of L) expect(x).toEqual([{ a: 1, b: 2, c: 0 }, { a: 2, b: 4, c: 1 }, { a: 3, b: 6, c: 2 }]);
  });

  const cumulative: Record<string, number[]> = {
    cumsum: [0, 1, 3, 6, 10, 15, 21, 28, 36, 45],
    cummax: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    cumprod: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    cummin: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  };
  it.each(Object.entries(cumulative))('test_cumulative_aggregations (%s, getter x)', (op, want) => {
    const df = { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], y: Array(10).fill(1) };
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf((sdf.col('x') as any)[op]());
    for (let i = 0; i < 10; i += 3) source.emit(iloc(df, i, i + 3));
    source.emit(iloc(df, 0, 0));
    expect(L.length).toBeGreaterThan(1);
    expect(L.flat().map((r) => r.x)).toEqual(want);
  });

  it('test_tail', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.tail(2));
    source.emit(df123);
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 2, y: 5 }, { x: 3, y: 6 }]);
    expect(L[1]).toEqual([{ x: 2, y: 5 }, { x: 3, y: 6 }]);
  });

  it('test_example_type_error_message', () => {
    expect(() => new DataFrame(new Stream(), { example: [123] as never })).toThrow(/DataFrame.*\[123\]|\[123\].*DataFrame/);
  });

  it('test_dataframes (per-batch reductions)', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrames(source, { example: exampleXY });
    const L = valuesOf(sdf.col('x').add(1).sum(), 'x');
    source.emit(df123);
    source.emit(df123);
    expect(L).toEqual([9, 9]);
  });

  it('test_groupby_aggregate_updating (aggregates are updating tables)', () => {
    const { sdf } = setup(exampleXY);
    expect(sdf.groupby('x').col('y').mean().updating).toBe(true);
    expect(sdf.col('x').sum().updating).toBe(true);
    expect(sdf.updating).toBe(false);
  });

  it('test_reductions_with_start_state (plain start values)', () => {
    const { source, sdf } = setup({ name: 'utf8', amount: 'float64' } as const);
    const output0 = valuesOf(sdf.col('amount').mean({ start: [10, 2] }), 'amount');
    const output1 = valuesOf(sdf.col('amount').count({ start: 3 }), 'amount');
    const output2 = valuesOf(sdf.col('amount').sum({ start: 10 }), 'amount');
    source.emit({ name: ['Alice', 'Tom', 'Linda'], amount: [50, 100, 200] });
    expect(output0[0]).toBe(72.0);
    expect(output1[0]).toBe(6);
    expect(output2[0]).toBe(360);
  });

  it('test_groupby_aggregate_with_start_state (a snapshot as start)', () => {
    const example = { name: 'utf8', amount: 'float64' } as const;
    const s1 = setup(example);
    const sums = s1.sdf.groupby('name').col('amount').sum({ name: 'sums' });
    const counts = s1.sdf.groupby('name').col('amount').count({ name: 'counts' });
    const out0 = rowsOf(sums);
    const out2 = rowsOf(counts);
    s1.source.emit({ name: ['Alice', 'Tom'], amount: [50, 100] });
    expect(out0[0]).toEqual([{ name: 'Alice', amount: 50 }, { name: 'Tom', amount: 100 }]);
    expect(out2[0]).toEqual([{ name: 'Alice', amount: 1 }, { name: 'Tom', amount: 1 }]);
    const node = (d: DataFrame<any>) => d.stream as unknown as { snapshot(): import('apache-arrow').Table };
    const s2 = setup(example);
    const out3 = rowsOf(s2.sdf.groupby('name').col('amount').sum({ start: node(sums).snapshot() }));
    const out5 = rowsOf(s2.sdf.groupby('name').col('amount').count({ start: node(counts).snapshot() }));
    s2.source.emit({ name: ['Alice', 'Tom', 'Linda'], amount: [50, 100, 200] });
    expect(out3[0]).toEqual([{ name: 'Alice', amount: 100 }, { name: 'Linda', amount: 200 }, { name: 'Tom', amount: 200 }]);
    expect(out5[0]).toEqual([{ name: 'Alice', amount: 2 }, { name: 'Linda', amount: 1 }, { name: 'Tom', amount: 2 }]);
  });

  it('test_dir', () => {
    const { sdf } = setup({ name: 'utf8', amount: 'float64' } as const);
    expect(sdf.columns).toContain('name');
    expect(sdf.columns).toContain('amount');
  });
});
