// Ports of streamz/dataframe/tests/test_dataframes.py that use the index: set_index, index,
// reset_index, grouping by the index and windows over a DatetimeIndex. Here the index is a
// column marked by `setIndex` (the default index is each batch's row positions, as pandas').
import { describe, expect, it } from 'vitest';
import { checkHourlyWindows, expected, exampleXY, df123, HOUR, iloc, nan, range, rowsOf, setup, toBeCloseRows, VALUE_FUNCS } from './helpers.js';


describe('streamz test_dataframes: index', () => {
  it('test_set_index', () => {
    const { source, sdf } = setup(exampleXY);
    const byX = sdf.setIndex('x');
    const b = rowsOf(byX);
    expect(byX.indexColumn).toBe('x');
    const byExpr = sdf.setIndex(sdf.col('y').add(1), { name: 'y1' });
    const c = rowsOf(byExpr);
    expect(() => sdf.setIndex(sdf.col('y').add(1))).toThrow(/already a column/);
    source.emit(df123);
    // Deliberate difference: the index stays a column of the frames (pandas moves it out)
    expect(b[0]).toEqual([{ x: 1, y: 4 }, { x: 2, y: 5 }, { x: 3, y: 6 }]);
    expect(byExpr.indexColumn).toBe('y1');
    expect(c[0].map((r) => r.y1)).toEqual([5, 6, 7]);
  });

  it('test_index', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.index.add(5).toFrame());
    source.emit(df123);
    source.emit(df123);
    expect(L[0].map((r) => r.index)).toEqual([5, 6, 7]); // each batch's default index 0, 1, 2
    expect(L[1].map((r) => r.index)).toEqual([5, 6, 7]);
  });

  it('groupby(sdf.index) on the default index (each batch\'s positions, as pandas)', () => {
    const { source, sdf } = setup(exampleXY);
    const L = rowsOf(sdf.groupby(sdf.index).col('y').sum());
    source.emit(df123);
    source.emit(df123);
    // pandas: pd.concat([df, df]).groupby(level=0).y.sum()
    expect(L.at(-1)).toEqual([{ index: 0, y: 8 }, { index: 1, y: 10 }, { index: 2, y: 12 }]);
  });

  it('test_unary_operators (reset_index)', () => {
    const { source, sdf } = setup(exampleXY);
    const reset = sdf.setIndex('x').resetIndex();
    expect(reset.indexColumn).toBeUndefined();
    const L = rowsOf(reset);
    source.emit(df123);
    expect(L[0]).toEqual([{ x: 1, y: 4 }, { x: 2, y: 5 }, { x: 3, y: 6 }]);
  });

  it('the index goes along through filter, assign and tail, not through aggregations', () => {
    const { sdf } = setup(exampleXY);
    const indexed = sdf.setIndex('x');
    expect(indexed.filter(indexed.col('y').gt(4)).assign({ z: 1 }).tail(2).indexColumn).toBe('x');
    expect(indexed.col('y').sum().indexColumn).toBeUndefined();
    expect(() => sdf.window({ value: '1h' })).toThrow(/needs on/);
  });

  for (const value of ['10h', '1d']) {
    for (const [op, func] of VALUE_FUNCS) {
      it(`test_groupby_windowing_value (${op}, ${value}, grouper a.index, indexer x)`, () => {
        checkHourlyWindows((sdf) => {
          const indexed = sdf.setIndex('ts');
          return func(indexed.window({ value }).groupby(indexed.index).col('x'));
        }, expected.groupby_windowing_value_index[`${value}-${op}`]);
      });
    }
  }

  it('test_rolling_count_aggregations over the DatetimeIndex (sum, 200min: rolling reads the index)', () => {
    const { ts0, n } = expected.rolling;
    const df = { x: range(n), ts: range(n).map((i) => ts0 + i * HOUR) };
    const { source, sdf } = setup({ x: 'float64', ts: 'timestamp' } as const);
    const L = rowsOf(sdf.setIndex('ts').col('x').rolling('200min').sum());
    for (let i = 0; i < n; i += 5) source.emit(iloc(df, i, i + 5));
    toBeCloseRows(L.flat(), (nan(expected.rolling.cases['200min-sum']) as number[]).map((x) => ({ x })));
  });
});
