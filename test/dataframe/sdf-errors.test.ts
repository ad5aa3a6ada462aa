// Bad and unusual batches at the stream level: schema errors through the core error policies,
// ragged, empty, single-row batches, unseen keys, all-null columns.
import { describe, expect, it } from 'vitest';
import { DataFrame, NoColumnError, NodeError, RaggedBatchError, SchemaMismatchError, Stream, ValueCountsState, type DeadLetter } from '../../src/index.js';

const example = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;
const good = { k: ['a'], v: [1], ts: [0] };

function setup() {
  const source = new Stream<unknown>();
  const sdf = new DataFrame(source, { example });
  const sums: Record<string, unknown>[][] = [];
  sdf.groupby('k').col('v').sum().stream.sink((f) => void sums.push(f.toRows()));
  return { source, sdf, sums };
}

describe('a column that is not there', () => {
  it('is a NoColumnError naming the step and the columns there are, wherever it is asked for', () => {
    const sdf = new DataFrame(new Stream<unknown>(), { example });
    const asks: [string, () => unknown][] = [
      ['select', () => sdf.select(['w' as 'v'])],
      ['groupby', () => sdf.groupby('w' as 'k')],
      ['groupby', () => sdf.groupby('k').col('w' as 'v')],
      ['aggregation', () => sdf.groupby('k').agg({ w: 'sum' } as never)],
      ['DataFrame', () => sdf.col('w' as 'v')],
      ['nlargest', () => sdf.nlargest(2, 'w' as 'v')],
      ['setIndex', () => sdf.setIndex('w' as 'v')],
      ['valueCounts', () => new ValueCountsState('w', example, {})],
    ];
    for (const [where, ask] of asks) {
      let err: unknown;
      try {
        ask();
      } catch (e) {
        err = e;
      }
      expect(err, where).toBeInstanceOf(NoColumnError);
      expect((err as NoColumnError).message).toBe(`${where}: no column "w" (columns: k, v, ts)`);
      expect((err as NoColumnError).columns).toEqual(['k', 'v', 'ts']);
    }
  });
});

describe('bad batches go through the ingest node error policy', () => {
  it('raise (default): a NodeError naming the column, the expected and the actual type', () => {
    const { source } = setup();
    let err: unknown;
    try {
      source.emit({ k: ['a'], v: ['x'], ts: [0] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeError);
    const cause = (err as NodeError).cause as SchemaMismatchError;
    expect(cause).toBeInstanceOf(SchemaMismatchError);
    expect(cause.column).toBe('v');
    expect(cause.expected).toBe('float64');
    expect(cause.actual).toMatch(/string/);
    expect((err as Error).message).toMatch(/column "v": expected float64, got string/);
  });

  it('missing and extra columns name the column', () => {
    const { source } = setup();
    expect(() => source.emit({ k: ['a'], ts: [0] })).toThrow(/column "v": expected float64, got missing column/);
    expect(() => source.emit({ ...good, w: [1] })).toThrow(/column "w".*extra column/);
    const lenient = new DataFrame(new Stream<unknown>(), { example, extra: 'drop' });
    expect(lenient.schema).toEqual(example);
  });

  it('deadLetter keeps the whole batch, and the stream goes on', () => {
    const { source, sdf, sums } = setup();
    const dead: DeadLetter[] = [];
    const letters = new Stream<DeadLetter>();
    letters.sink((d) => void dead.push(d));
    sdf.onError({ deadLetter: letters });
    const bad = { k: ['a', 'b'], v: [1, 2], ts: ['yesterday', 0] };
    source.emit(good);
    source.emit(bad);
    source.emit(good);
    expect(dead).toHaveLength(1);
    expect(dead[0].element).toBe(bad);
    expect((dead[0].error as SchemaMismatchError).column).toBe('ts');
    expect(sums).toEqual([[{ k: 'a', v: 1 }], [{ k: 'a', v: 2 }]]);
  });

  it('columns no node reads are checked all the same (ingest converts only the ones read)', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const means: number[][] = [];
    sdf.col('v').rolling(2).mean().stream.sink((f) => void means.push([...(f.col('v').data as Float64Array)]));
    const dead: DeadLetter[] = [];
    const letters = new Stream<DeadLetter>();
    letters.sink((d) => void dead.push(d));
    sdf.onError({ deadLetter: letters });
    const bad = [
      { k: [1], v: [2], ts: [0] },
      { k: Float64Array.of(1), v: [2], ts: [0] },
      { k: ['a'], v: [2], ts: ['yesterday'] },
    ];
    source.emit({ k: ['a'], v: [1], ts: [0] });
    for (const b of bad) source.emit(b);
    source.emit({ k: ['a'], v: [3], ts: [0] });
    expect(dead.map((d) => [d.element, (d.error as SchemaMismatchError).column])).toEqual([
      [bad[0], 'k'],
      [bad[1], 'k'],
      [bad[2], 'ts'],
    ]);
    expect(means).toEqual([[NaN], [2]]);
    // A node that sees whole frames (here a sink) gets every column from then on.
    const names: string[][] = [];
    sdf.stream.sink((f) => void names.push([...f.names]));
    source.emit({ k: ['a'], v: [5], ts: [0] });
    expect(names).toEqual([['k', 'v', 'ts']]);
    expect(means[2]).toEqual([4]);
  });

  it('skip drops the batch; options.onError sets the policy at construction', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example, onError: 'skip' });
    const seen: number[] = [];
    sdf.stream.sink((f) => void seen.push(f.length));
    source.emit({ k: [1], v: [1], ts: [0] });
    source.emit(good);
    expect(seen).toEqual([1]);
  });

  it('ragged columns are a RaggedBatchError through the policy', () => {
    const { source, sdf } = setup();
    const dead: DeadLetter[] = [];
    const letters = new Stream<DeadLetter>();
    letters.sink((d) => void dead.push(d));
    sdf.onError({ deadLetter: letters });
    source.emit({ k: ['a', 'b'], v: [1], ts: [0, 1] });
    expect(dead[0].error).toBeInstanceOf(RaggedBatchError);
    expect(String(dead[0].error)).toMatch(/"v" has 1/);
  });

  it('a kernel error (rolling on out-of-order time) goes through that node policy', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const rolled = sdf.col('v').rolling('5s');
    const out: number[] = [];
    const mean = rolled.mean();
    mean.stream.sink((f) => void out.push(f.length));
    mean.onError('skip');
    const means: number[] = [];
    mean.stream.sink((f) => void means.push(f.get('v', 0) as number));
    source.emit({ k: ['a'], v: [1], ts: [10_000] });
    source.emit({ k: ['a', 'a'], v: [100, 1], ts: [20_000, 0] }); // rejected as a whole: no partial update
    source.emit({ k: ['a'], v: [3], ts: [11_000] });
    expect(out).toEqual([1, 1]);
    expect(means).toEqual([1, 2]);
  });
});

describe('unusual but valid batches', () => {
  it('empty batches ({}, zero-length columns, []) leave aggregates as they were and emit', () => {
    const { source, sdf, sums } = setup();
    const filtered: number[] = [];
    sdf.filter(sdf.col('v').gt(0)).stream.sink((f) => void filtered.push(f.length));
    const win: unknown[] = [];
    sdf.window({ n: 2 }).col('v').mean().stream.sink((f) => void win.push(f.toRows()[0].v));
    const roll: number[] = [];
    sdf.col('v').rolling(2).mean().stream.sink((f) => void roll.push(f.length));
    source.emit({});
    source.emit(good);
    source.emit({ k: [], v: [], ts: [] });
    source.emit([]);
    expect(sums).toEqual([[], [{ k: 'a', v: 1 }], [{ k: 'a', v: 1 }], [{ k: 'a', v: 1 }]]);
    expect(filtered).toEqual([0, 1, 0, 0]);
    expect(win).toEqual([NaN, 1, 1, 1]);
    expect(roll).toEqual([0, 1, 0, 0]);
  });

  it('single-row batches', () => {
    const { source, sdf, sums } = setup();
    const roll: number[] = [];
    sdf.col('v').rolling(3).sum().stream.sink((f) => void roll.push(f.get('v', 0) as number));
    const win: unknown[] = [];
    sdf.window({ n: 2 }).groupby('k').col('v').max().stream.sink((f) => void win.push(f.toRows()));
    for (let i = 1; i <= 4; i++) source.emit([{ k: i % 2 ? 'a' : 'b', v: i, ts: i }]);
    expect(roll).toEqual([NaN, NaN, 6, 9]);
    expect(sums.at(-1)).toEqual([{ k: 'a', v: 4 }, { k: 'b', v: 6 }]);
    expect(win.at(-1)).toEqual([{ k: 'a', v: 3 }, { k: 'b', v: 4 }]);
  });

  it('keys never seen before appear in later results (sorted), and leave windows', () => {
    const { source, sdf, sums } = setup();
    const win: unknown[] = [];
    sdf.window({ n: 2 }).groupby('k').col('v').sum().stream.sink((f) => void win.push(f.toRows()));
    source.emit({ k: ['m', 'm'], v: [1, 2], ts: [0, 1] });
    source.emit({ k: ['z', 'a'], v: [3, 4], ts: [2, 3] });
    expect(sums.at(-1)).toEqual([{ k: 'a', v: 4 }, { k: 'm', v: 3 }, { k: 'z', v: 3 }]);
    expect(win.at(-1)).toEqual([{ k: 'a', v: 4 }, { k: 'z', v: 3 }]);
  });

  it('all-null columns: pandas results (sum 0, mean NaN, count 0; null keys dropped)', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const agg: Record<string, unknown>[][] = [];
    sdf.groupby('k').agg({ v: ['sum', 'mean', 'count', 'size', 'min', 'std'] }).stream.sink((f) => void agg.push(f.toRows()));
    const whole: Record<string, unknown>[][] = [];
    sdf.agg({ v: ['sum', 'mean', 'count'], k: ['count', 'nunique'] }).stream.sink((f) => void whole.push(f.toRows()));
    const cum: number[] = [];
    sdf.col('v').cumsum().stream.sink((f) => void cum.push(...(f.toColumns().v as Float64Array)));
    source.emit({ k: ['a', 'a'], v: [null, NaN], ts: [0, 1] });
    source.emit({ k: [null, null], v: [1, 2], ts: [null, null] });
    expect(agg.at(-1)).toEqual([{ k: 'a', v_sum: 0, v_mean: NaN, v_count: 0, v_size: 2, v_min: NaN, v_std: NaN }]);
    expect(whole.at(-1)).toEqual([{ v_sum: 3, v_mean: 1.5, v_count: 2, k_count: 2, k_nunique: 1 }]);
    expect(cum).toEqual([NaN, NaN, 1, 3]);
  });
});
