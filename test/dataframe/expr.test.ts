import { describe, expect, it } from 'vitest';
import { Ingestor, col, lit, filterFrame, assignFrame, toRows, roundHalfEven, ValueCountsState, randomFrame, RandomSource, RANDOM_SCHEMA, toArrow } from '../../src/dataframe/index.js';
import { ipcRoundTrip } from './helpers.js';

const ing = new Ingestor({ k: 'utf8', v: 'float64', i: 'int32', ts: 'timestamp' });
const f = ing.ingest({ k: ['a', 'b', null, 'c'], v: [0.25, 0.75, NaN, 2.5], i: [1, null, -3, 4], ts: [0, 1000, 2000, 3000] });
const mask = (e: ReturnType<typeof col>) => Array.from(e.evaluate(f).data);

describe('expressions', () => {
  it('numeric comparisons: NaN/null compare false, ne true', () => {
    expect(mask(col('v').gt(0.5))).toEqual([0, 1, 0, 1]);
    expect(mask(col('v').le(0.75))).toEqual([1, 1, 0, 0]);
    expect(mask(col('v').ne(0.25))).toEqual([0, 1, 1, 1]);
    expect(mask(col('i').ge(col('v')))).toEqual([1, 0, 0, 1]);
    expect(mask(col('ts').ge(new Date(2000)))).toEqual([0, 0, 1, 1]);
    expect(mask(col('ts').lt('1970-01-01T00:00:01Z'))).toEqual([1, 0, 0, 0]);
  });

  it('string comparisons, including unseen strings', () => {
    expect(mask(col('k').eq('b'))).toEqual([0, 1, 0, 0]);
    expect(mask(col('k').ne('b'))).toEqual([1, 0, 1, 1]);
    expect(mask(col('k').eq('zzz'))).toEqual([0, 0, 0, 0]);
    expect(mask(col('k').gt('a'))).toEqual([0, 1, 0, 1]);
    expect(mask(col('k').eq(col('k')))).toEqual([1, 1, 0, 1]);
    expect(() => col('k').gt(1).evaluate(f)).toThrow(/cannot compare utf8/);
    expect(() => col('v').gt('x').evaluate(f)).toThrow(/cannot compare float64 with string/);
  });

  it('masks combine; filter + assign', () => {
    expect(mask(col('v').gt(0.5).and(col('k').ne('c')))).toEqual([0, 1, 0, 0]);
    expect(mask(col('v').gt(0.5).or(col('k').eq('a')))).toEqual([1, 1, 0, 1]);
    expect(mask(col('v').gt(0.5).not())).toEqual([1, 0, 1, 0]);
    expect(mask(col('v').isNull())).toEqual([0, 0, 1, 0]);
    const out = assignFrame(filterFrame(f, col('v').gt(0.5)), { w: col('v').mul(2), one: 1, s: lit('x') });
    expect(toRows(out, { timestamps: 'ms' })).toEqual([
      { k: 'b', v: 0.75, i: null, ts: 1000, w: 1.5, one: 1, s: 'x' },
      { k: 'c', v: 2.5, i: 4, ts: 3000, w: 5, one: 1, s: 'x' },
    ]);
    expect(() => filterFrame(f, col('v'))).toThrow(/mask must be bool/);
  });

  it('arithmetic, abs, round (half to even), astype', () => {
    expect(Array.from(col('v').add(col('i')).evaluate(f).data)).toEqual([1.25, NaN, NaN, 6.5]);
    expect(Array.from(col('v').sub(1).div(2).evaluate(f).data)).toEqual([-0.375, -0.125, NaN, 0.75]);
    expect(col('ts').add(500).evaluate(f).dtype).toBe('timestamp');
    expect(col('ts').sub(col('ts')).evaluate(f).dtype).toBe('float64');
    expect(toRows(assignFrame(f, { a: col('i').abs() })).map((r) => r.a)).toEqual([1, null, 3, 4]);
    expect(Array.from(col('v').round().evaluate(f).data)).toEqual([0, 1, NaN, 2]);
    expect([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(-2.5), roundHalfEven(0.125, 2), roundHalfEven(2.675, 2), roundHalfEven(1.005, 2)]).toEqual([0, 2, -2, 0.12, 2.68, 1]) // numpy: 2.675 * 100 is 267.5 exactly;
    expect(toRows(assignFrame(f, { a: col('v').astype('int32'), s: col('i').astype('utf8'), x: col('k').astype('float64') })).map((r) => [r.a, r.s, r.x])).toEqual([
      [0, '1', NaN],
      [0, null, NaN],
      [null, '-3', NaN],
      [2, '4', NaN],
    ]);
    expect(() => col('k').add(1).evaluate(f)).toThrow(/strings/);
  });
});

describe('valueCounts', () => {
  it('counts by descending count, ties by first appearance, nulls dropped; remove and restore', () => {
    const ing2 = new Ingestor({ x: 'float64', k: 'utf8' });
    const vc = new ValueCountsState('x', ing2.schema, ing2.dicts);
    vc.update(ing2.ingest({ x: [2, 3, NaN, 2], k: ['a', 'a', 'a', 'a'] }));
    vc.update(ing2.ingest({ x: [3, 1], k: ['a', 'a'] }));
    expect(toRows(vc.result())).toEqual([{ x: 2, count: 2 }, { x: 3, count: 2 }, { x: 1, count: 1 }]);
    const restored = new ValueCountsState('x', ing2.schema, ing2.dicts);
    restored.restore(ipcRoundTrip(vc.snapshot()));
    restored.remove(ing2.ingest({ x: [2], k: ['a'] }));
    expect(toRows(restored.result())).toEqual([{ x: 3, count: 2 }, { x: 2, count: 1 }, { x: 1, count: 1 }]);
    const ks = new ValueCountsState('k', ing2.schema, ing2.dicts);
    ks.update(ing2.ingest({ x: [1, 1, 1], k: ['b', null, 'b'] }));
    expect(toRows(ks.result())).toEqual([{ k: 'b', count: 2 }]);
  });
});

describe('random', () => {
  it('is deterministic per seed and shaped like streamz Random', () => {
    const a = randomFrame({ rows: 2000, seed: 7, start: 1000 });
    const b = randomFrame({ rows: 2000, seed: 7, start: 1000 });
    expect(toArrow(a).toString()).toBe(toArrow(b).toString());
    expect(a.schema).toEqual(RANDOM_SCHEMA);
    const x = a.col('x').data as Float64Array;
    const y = a.col('y').data as Int32Array;
    const z = a.col('z').data as Float64Array;
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    expect(mean(x)).toBeCloseTo(0.5, 1);
    expect(mean(y)).toBeCloseTo(1, 0);
    expect(Math.abs(mean(z))).toBeLessThan(0.1);
    expect(Array.from((a.col('timestamp').data as Float64Array).slice(0, 3))).toEqual([1000, 1100, 1200]);
    const src = new RandomSource({ seed: 1, freq: '250ms' });
    const blk = src.block(0, 1000);
    expect(Array.from(blk.col('timestamp').data)).toEqual([250, 500, 750, 1000]);
    const state = src.rng.getState();
    const next = src.block(1000, 2000);
    src.rng.setState(state);
    expect(toArrow(src.block(1000, 2000)).toString()).toBe(toArrow(next).toString());
  });
});

describe('arithmetic NEXMark needs', () => {
  const g = new Ingestor({ x: 'float64', n: 'int32', ts: 'timestamp' }).ingest({ x: [-7, 7, 2.5, NaN, 0], n: [3, -3, 2, 1, null], ts: [0, 10_000, 20_000, 30_000, 40_000] });
  const vals = (e: ReturnType<typeof col>) => Array.from(e.evaluate(g).data as Float64Array);

  it('mod and floordiv follow Python (sign of the divisor, rounded down); division by zero as numpy', () => {
    expect(vals(col('x').mod(3))).toEqual([2, 1, 2.5, NaN, 0]);
    expect(vals(col('x').mod(-3))).toEqual([-1, -2, -0.5, NaN, 0]);
    expect(vals(col('x').floordiv(2))).toEqual([-4, 3, 1, NaN, 0]);
    expect(vals(col('x').mod(col('n')))).toEqual([2, -2, 0.5, NaN, NaN]);
    expect(vals(col('x').floordiv(0))).toEqual([-Infinity, Infinity, Infinity, NaN, NaN]);
    expect(vals(col('x').mod(0))).toEqual([NaN, NaN, NaN, NaN, NaN]);
    expect(vals(col('ts').floordiv(10_000).mul(10_000))).toEqual([0, 10_000, 20_000, 30_000, 40_000]);
  });

  it('pow, neg, reflected operators', () => {
    expect(vals(col('x').pow(2))).toEqual([49, 49, 6.25, NaN, 0]);
    expect(vals(col('x').rpow(2))).toEqual([2 ** -7, 128, 2 ** 2.5, NaN, 1]);
    expect(vals(col('x').rsub(10))).toEqual([17, 3, 7.5, NaN, 10]);
    expect(vals(col('x').rdiv(1))).toEqual([-1 / 7, 1 / 7, 0.4, NaN, Infinity]);
    expect(vals(col('x').rmod(10))).toEqual([-4, 3, 0, NaN, NaN]);
    expect(vals(col('n').rfloordiv(7))).toEqual([2, -3, 3, 7, NaN]);
    expect(vals(col('x').neg())).toEqual([7, -7, -2.5, NaN, -0]);
    expect(col('n').neg().evaluate(g)).toMatchObject({ dtype: 'int32', data: Int32Array.from([-3, 3, -2, -1, -0]) });
    expect(col('x').radd(1).label).toBe('(1 add x)');
    expect(col('ts').rsub('1970-01-01T00:00:30Z').evaluate(g).dtype).toBe('float64');
    expect(vals(col('ts').rsub('1970-01-01T00:00:30Z'))).toEqual([30_000, 20_000, 10_000, 0, -10_000]);
    expect(() => col('ts').neg().evaluate(g)).toThrow(/neg: not defined for timestamp/);
    expect(() => lit('a').mod(2).evaluate(g)).toThrow(/not defined for strings/);
  });

  it('aggregates over the frame, on every row: compare rows with their frame max (Q7)', () => {
    expect(vals(col('x').max())).toEqual([7, 7, 7, 7, 7]);
    expect(vals(col('x').min())).toEqual([-7, -7, -7, -7, -7]);
    expect(vals(col('x').sum())).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(vals(col('x').count())).toEqual([4, 4, 4, 4, 4]);
    expect(vals(col('x').mean())).toEqual([0.625, 0.625, 0.625, 0.625, 0.625]);
    expect(col('ts').max().evaluate(g).dtype).toBe('timestamp');
    expect(Array.from(col('x').eq(col('x').max()).evaluate(g).data)).toEqual([0, 1, 0, 0, 0]);
  });
});
