import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { Ingestor, SchemaMismatchError, RaggedBatchError, inferSchema, toRows, Frame, Dictionary } from '../../src/dataframe/index.js';

const schema = { k: 'utf8', v: 'float64', i: 'int32', b: 'bool', ts: 'timestamp' } as const;
const good = () => ({ k: ['a', 'b'], v: Float64Array.of(1, 2), i: [1, 2], b: [true, false], ts: [0, 1000] });
const mismatch = (fn: () => unknown, column: string, expected: string, actual: RegExp) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaMismatchError);
    const err = e as SchemaMismatchError;
    expect(err.column).toBe(column);
    expect(err.message).toContain(`"${column}"`);
    expect(err.message).toContain(expected);
    expect(err.message).toMatch(actual);
    return;
  }
  throw new Error('expected a SchemaMismatchError');
};

describe('ingest: column objects', () => {
  it('accepts typed arrays, plain arrays, Date / number / ISO timestamps, and copies the input', () => {
    const ing = new Ingestor({ ...schema });
    const v = Float64Array.of(1.5, NaN, 3);
    const f = ing.ingest({ k: ['x', null, 'x'], v, i: Int32Array.of(1, 2, 3), b: [true, null, false], ts: [new Date(5), '1970-01-01T00:00:01.000Z', null] });
    v[0] = 99;
    expect(f.length).toBe(3);
    expect(toRows(f, { timestamps: 'ms' })).toEqual([
      { k: 'x', v: 1.5, i: 1, b: true, ts: 5 },
      { k: null, v: NaN, i: 2, b: null, ts: 1000 },
      { k: 'x', v: 3, i: 3, b: false, ts: null },
    ]);
    // codes are shared across frames of one ingestor
    const g = ing.ingest({ k: ['y', 'x'], v: [1, 2], i: [null, 7], b: [false, true], ts: Float64Array.of(0, 1) });
    expect(Array.from(g.col('k').data)).toEqual([1, 0]);
    expect(g.get('i', 0)).toBeNull();
  });

  it('numbers of other typed arrays and bigint convert', () => {
    const ing = new Ingestor({ v: 'float64', ts: 'timestamp', i: 'int32' });
    const f = ing.ingest({ v: Int16Array.of(1, -2), ts: BigInt64Array.of(10n, 20n), i: [3n, null] });
    expect(toRows(f, { timestamps: 'ms' })).toEqual([{ v: 1, ts: 10, i: 3 }, { v: -2, ts: 20, i: null }]);
  });

  const badColumns = [
    ['float64 column given strings', { v: ['1', '2'] }, 'v', 'expected float64', /got string \("1"\) at row 0/],
    ['float64 column given booleans', { v: [true, false] }, 'v', 'expected float64', /got bool/],
    ['int32 column given fractions', { i: [1, 2.5] }, 'i', 'expected int32', /got float64 \(2.5\) at row 1/],
    ['int32 column out of range', { i: [2 ** 40, 1] }, 'i', 'expected int32', /number/],
    ['bool column given numbers', { b: [1, 0] }, 'b', 'expected bool', /got number \(1\)/],
    ['utf8 column given numbers', { k: [1, 'a'] }, 'k', 'expected utf8', /got number \(1\) at row 0/],
    ['utf8 column given a typed array', { k: Float64Array.of(1, 2) }, 'k', 'expected utf8', /Float64Array/],
    ['timestamp given an unparseable string', { ts: ['yesterday', 0] }, 'ts', 'expected timestamp', /string \("yesterday"\)/],
    ['timestamp given an object', { ts: [{}, 0] }, 'ts', 'expected timestamp', /Object/],
    ['a column that is not an array', { v: 3 }, 'v', 'expected float64', /number/],
  ] as const;
  it.each(badColumns)('type mismatch: %s', (_name, patch, column, expected, actual) => {
    const ing = new Ingestor({ ...schema });
    mismatch(() => ing.ingest({ ...good(), ...patch } as never), column, expected, actual);
  });
  // Ingest converts only the columns a pipeline reads (`only`); the others are checked all the same.
  it.each(badColumns)('type mismatch in a column the pipeline does not read: %s', (_name, patch, column, expected, actual) => {
    const ing = new Ingestor({ ...schema });
    const only = new Set(Object.keys(schema).filter((c) => c !== column));
    mismatch(() => ing.ingest({ ...good(), ...patch } as never, only), column, expected, actual);
  });

  it('only: the frame holds the columns read, converted as without it, and encodes no other strings', () => {
    const ing = new Ingestor({ ...schema });
    const f = ing.ingest({ ...good(), k: ['p', null] }, new Set(['v', 'ts']));
    expect(f.names).toEqual(['v', 'ts']);
    expect(f.length).toBe(2);
    expect(toRows(f, { timestamps: 'ms' })).toEqual([{ v: 1, ts: 0 }, { v: 2, ts: 1000 }]);
    expect(ing.dicts.k.size).toBe(0);
    expect(ing.ingest(good(), new Set()).length).toBe(2);
  });

  it('only: typed arrays read as they are are shared (the readers keep no reference), others converted', () => {
    const ing = new Ingestor({ ...schema });
    const v = Float64Array.of(1, 2);
    const i = Int32Array.of(3, 4);
    const f = ing.ingest({ ...good(), v, i, ts: [0, 1] }, new Set(['v', 'i', 'ts']));
    expect(f.col('v').data).toBe(v);
    expect(f.col('i').data).toBe(i);
    expect(Array.from(f.col('ts').data)).toEqual([0, 1]);
    expect(ing.ingest({ ...good(), v, i }).col('v').data).not.toBe(v);
  });

  it('missing and extra columns are named; extra columns can be dropped', () => {
    const ing = new Ingestor({ ...schema });
    const { ts: _ts, ...noTs } = good();
    mismatch(() => ing.ingest(noTs), 'ts', 'expected timestamp', /missing column/);
    mismatch(() => ing.ingest({ ...good(), w: [1, 2] }), 'w', 'not in the example schema', /extra column/);
    const lax = new Ingestor({ ...schema }, { extra: 'drop' });
    expect(lax.ingest({ ...good(), w: [1, 2] }).names).toEqual(['k', 'v', 'i', 'b', 'ts']);
  });

  it('ragged columns are reported with their lengths', () => {
    const ing = new Ingestor({ ...schema });
    expect(() => ing.ingest({ ...good(), v: [1, 2, 3] })).toThrow(RaggedBatchError);
    expect(() => ing.ingest({ ...good(), v: [1, 2, 3] })).toThrow(/"k" has 2, "v" has 3, "i" has 2/);
  });

  it('empty batches give empty frames of the schema', () => {
    const ing = new Ingestor({ ...schema });
    for (const b of [[], {}, { k: [], v: [], i: [], b: [], ts: [] }, new arrow.Table()]) {
      const f = ing.ingest(b as never);
      expect(f.length).toBe(0);
      expect(f.schema).toEqual(schema);
    }
  });

  it('single rows and all-null columns are fine', () => {
    const ing = new Ingestor({ ...schema });
    const f = ing.ingest({ k: [null], v: [null], i: [null], b: [undefined], ts: [null] });
    expect(toRows(f)).toEqual([{ k: null, v: NaN, i: null, b: null, ts: null }]);
  });

  it('unsupported batch kinds are rejected', () => {
    const ing = new Ingestor({ ...schema });
    expect(() => ing.ingest(42 as never)).toThrow(/unsupported batch/);
    expect(() => ing.ingest([1, 2] as never)).toThrow(/row 0 is number/);
  });
});

describe('ingest: rows, Arrow, danfo, Frames', () => {
  it('row objects: missing keys are null, unknown keys are errors, types are checked', () => {
    const ing = new Ingestor({ ...schema });
    const f = ing.ingest([{ k: 'a', v: 1, i: 1, b: true, ts: 0 }, { k: 'b', v: 2 }]);
    expect(toRows(f, { timestamps: 'ms' })[1]).toEqual({ k: 'b', v: 2, i: null, b: null, ts: null });
    mismatch(() => ing.ingest([{ k: 'a', v: 1, i: 1, b: true, ts: 0, zz: 1 }]), 'zz', 'not in the example schema', /extra column/);
    mismatch(() => ing.ingest([{ k: 'a', v: 'x', i: 1, b: true, ts: 0 }]), 'v', 'expected float64', /string/);
    mismatch(() => ing.ingest([{ k: 'a' }]), 'v', 'expected float64', /missing column/);
  });

  it('Arrow tables: dictionary and plain utf8, int64, timestamps in every unit, nulls', () => {
    const ing = new Ingestor({ k: 'utf8', s: 'utf8', v: 'float64', i: 'int32', b: 'bool', t1: 'timestamp', t2: 'timestamp', t3: 'timestamp', d: 'timestamp' });
    const t = new arrow.Table({
      k: arrow.vectorFromArray(['a', null, 'b'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      s: arrow.vectorFromArray(['x', 'y', null], new arrow.Utf8()),
      v: arrow.vectorFromArray([1n, null, 3n], new arrow.Int64()),
      i: arrow.vectorFromArray([1, 2, null], new arrow.Int32()),
      b: arrow.vectorFromArray([true, null, false], new arrow.Bool()),
      t1: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampSecond(), length: 3, data: BigInt64Array.of(1n, 2n, 3n) })),
      t2: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: 3, data: BigInt64Array.of(1000n, 2000n, 3000n) })),
      t3: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampNanosecond(), length: 3, data: BigInt64Array.of(1000000n, 2000000n, 3000000n) })),
      d: arrow.vectorFromArray([new Date(5), null, new Date(7)], new arrow.DateMillisecond()),
    });
    expect(toRows(ing.ingest(t), { timestamps: 'ms' })).toEqual([
      { k: 'a', s: 'x', v: 1, i: 1, b: true, t1: 1000, t2: 1, t3: 1, d: 5 },
      { k: null, s: 'y', v: NaN, i: 2, b: null, t1: 2000, t2: 2, t3: 2, d: null },
      { k: 'b', s: null, v: 3, i: null, b: false, t1: 3000, t2: 3, t3: 3, d: 7 },
    ]);
    mismatch(() => new Ingestor({ s: 'float64' }).ingest(new arrow.Table({ s: t.getChild('s')! })), 's', 'expected float64', /arrow Utf8/);
    mismatch(() => new Ingestor({ s: 'float64', v: 'float64' }).ingest(new arrow.Table({ s: t.getChild('i')! })), 'v', 'float64', /missing column/);
  });

  it('danfo DataFrames (duck-typed)', async () => {
    const dfd = await import('danfojs');
    const df = new dfd.DataFrame({ k: ['a', 'b'], v: [1.5, NaN], ts: [0, 1000] });
    const ing = new Ingestor({ k: 'utf8', v: 'float64', ts: 'timestamp' });
    expect(toRows(ing.ingest(df as never), { timestamps: 'ms' })).toEqual([{ k: 'a', v: 1.5, ts: 0 }, { k: 'b', v: NaN, ts: 1000 }]);
    const bad = new dfd.DataFrame({ k: [1, 2], v: [1, 2], ts: [0, 0] });
    mismatch(() => ing.ingest(bad as never), 'k', 'expected utf8', /number/);
  });

  it('a column object with columns named "columns" and "values" is not mistaken for danfo', () => {
    const ing = new Ingestor({ columns: 'utf8', values: 'float64' });
    expect(toRows(ing.ingest({ columns: ['a'], values: [1] }))).toEqual([{ columns: 'a', values: 1 }]);
  });

  it('Frames from another dictionary are re-encoded; inferSchema', () => {
    const d = new Dictionary(['zz', 'a']);
    const f = new Frame({ k: { dtype: 'utf8', data: Int32Array.of(1, 0, -1), dict: d } });
    const ing = new Ingestor({ k: 'utf8' });
    const g = ing.ingest(f);
    expect(Array.from(g.col('k').data)).toEqual([0, 1, -1]);
    expect(toRows(g)).toEqual([{ k: 'a' }, { k: 'zz' }, { k: null }]);
    expect(inferSchema({ a: Float64Array.of(1), b: [null, 'x'], c: [new Date()], d: [true], e: Int32Array.of(1) })).toEqual({
      a: 'float64',
      b: 'utf8',
      c: 'timestamp',
      d: 'bool',
      e: 'int32',
    });
  });
});
