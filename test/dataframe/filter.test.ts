/**
 * Filtering: a numeric comparison goes straight to the kept rows (filter.ts), every other mask
 * through a bool column; both must keep exactly the rows pandas keeps. And the projection through
 * filter and assign: what ingest converts, and that a filter lets ingest share the batch's arrays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFrame, Expr, Ingestor, Stream, col, filterFrame, toRows, type DeadLetter, type Frame } from '../../src/index.js';
import { downstreamDemand } from '../../src/dataframe/demand.js';

const OPS = ['gt', 'lt', 'ge', 'le', 'eq', 'ne'] as const;
const CMP: Record<(typeof OPS)[number], (x: number, y: number) => boolean> = {
  gt: (x, y) => x > y,
  lt: (x, y) => x < y,
  ge: (x, y) => x >= y,
  le: (x, y) => x <= y,
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
};
const SCHEMA = { v: 'float64', w: 'float64', i: 'int32', k: 'utf8' } as const;
const value = fc.oneof(fc.constantFrom(0, 1, -1, 0.5, NaN, Infinity, -Infinity), fc.double({ noNaN: true }));
const rowArb = fc.record({ v: value, w: value, i: fc.option(fc.integer({ min: -3, max: 3 })), k: fc.constantFrom('a', 'b') });

describe('filterFrame', () => {
  it('keeps the rows where a comparison of numbers holds (null and NaN false, but true for ne), whatever the operands', () => {
    const ing = new Ingestor(SCHEMA);
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 3000, size: 'max' }), fc.constantFrom(...OPS), fc.constantFrom('v', 'i'), fc.oneof(fc.constantFrom('w', 'i'), value), (rows, op, left, right) => {
        const frame = ing.ingest(rows);
        const mask = (col(left) as Expr)[op](typeof right === 'string' ? col(right) : right);
        const num = (r: (typeof rows)[number], c: string) => (c === 'i' ? (r.i ?? NaN) : (r as unknown as Record<string, number>)[c]);
        const want = rows.filter((r) => CMP[op](num(r, left), typeof right === 'string' ? num(r, right) : right));
        const got = filterFrame(frame, mask);
        expect(toRows(got)).toEqual(toRows(ing.ingest(want.length > 0 ? want : { v: [], w: [], i: [], k: [] })));
        expect(toRows(got)).toEqual(toRows(frame.filter(mask.evaluate(frame) as never)));
      }),
      { numRuns: 150 },
    );
  });

  it('other masks (strings, and/or, a bool column) go through the mask, as before', () => {
    const f = new Ingestor(SCHEMA).ingest({ v: [1, 2, 3], w: [3, 2, 1], i: [1, null, 3], k: ['a', 'b', 'a'] });
    expect(toRows(filterFrame(f, col('k').eq('a'))).map((r) => r.v)).toEqual([1, 3]);
    expect(toRows(filterFrame(f, col('v').gt(1).and(col('w').gt(1)))).map((r) => r.v)).toEqual([2]);
    expect(toRows(filterFrame(f, col('v').lt(new Date(2)))).map((r) => r.v)).toEqual([1]);
    expect(() => filterFrame(f, col('k').gt(1))).toThrow(/cannot compare utf8 with number/);
    expect(() => filterFrame(f, col('v').gt(col('k')))).toThrow(/cannot compare float64 with utf8/);
  });
});

describe('projection through filter and assign', () => {
  const example = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;

  it('a filter hands on copies of the kept rows, so ingest shares the batch: a producer refilling one buffer gets the same frames', () => {
    const run = (refill: boolean) => {
      const source = new Stream<unknown>();
      const sdf = new DataFrame(source, { example });
      const out = sdf.filter(sdf.col('v').gt(0.5)).assign({ w: sdf.col('v').mul(2) });
      const frames: Frame[] = [];
      out.stream.sink((f) => void frames.push(f));
      expect(downstreamDemand(sdf.stream)).toEqual({ cols: undefined, keeps: false });
      const buf = { k: ['', '', ''], v: new Float64Array(3), ts: new Float64Array(3) };
      for (let b = 0; b < 20; b++) {
        const batch = refill ? buf : { k: ['', '', ''], v: new Float64Array(3), ts: new Float64Array(3) };
        for (let i = 0; i < 3; i++) {
          batch.k[i] = `k${(b + i) % 4}`;
          batch.v[i] = b % 3 === 0 ? 0.9 : ((b + i) % 4) / 4; // every third batch keeps all its rows
          batch.ts[i] = b * 3 + i;
        }
        source.emit(batch);
      }
      return frames.flatMap((f) => toRows(f, { timestamps: 'ms' }));
    };
    const fresh = run(false);
    expect(fresh.length).toBeGreaterThan(10);
    expect(run(true)).toEqual(fresh);
  });

  it('ingest converts only what the nodes below read through them: a string column nobody reads is checked, not encoded', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const w = sdf.filter(sdf.col('v').gt(0.5)).assign({ w: sdf.col('v').mul(2) }).col('w').rolling(2).sum();
    const got: number[] = [];
    w.stream.sink((f) => void got.push(...(f.col(f.names[0]).data as Float64Array)));
    expect(downstreamDemand(sdf.stream)).toEqual({ cols: new Set(['v']), keeps: false });
    source.emit({ k: ['a', 'b', 'c'], v: [0.75, 0.25, 1], ts: [0, 1, 2] });
    expect(got).toEqual([NaN, 3.5]);
    expect(sdf.dicts.k.size).toBe(0);
    const dead: DeadLetter[] = [];
    const letters = new Stream<DeadLetter>();
    letters.sink((d) => void dead.push(d));
    sdf.onError({ deadLetter: letters });
    source.emit({ k: ['a', 7, 'c'], v: [1, 1, 1], ts: [3, 4, 5] });
    expect(String(dead[0].error)).toMatch(/column "k": expected utf8, got number \(7\) at row 1/);
    expect(got).toEqual([NaN, 3.5]);
  });

  it('an expression that reaches the frame other than by col() makes the node read every column', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const sneaky = new Expr((f) => f.columns.v, 'v (from columns)');
    sdf.filter(sneaky.gt(0.5)).col('ts').rolling(1).max();
    expect(downstreamDemand(sdf.stream).cols).toBeUndefined();
    const plain = new DataFrame(new Stream<unknown>(), { example });
    plain.filter(col('v').gt(0.5)).col('ts').rolling(1).max();
    expect(downstreamDemand(plain.stream).cols).toEqual(new Set(['ts', 'v']));
  });
});
