import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Frame, Ingestor, toRows, concatColumns, Dictionary } from '../../src/dataframe/index.js';
import { SCHEMA, rowsArb, toColumnsObj } from './helpers.js';
import { runs } from './helpers.js';

describe('Frame helpers', () => {
  it('slice / take / filter / concat agree with plain array operations', () => {
    fc.assert(
      fc.property(rowsArb(30), rowsArb(30), fc.nat(), fc.nat(), fc.array(fc.boolean(), { maxLength: 30 }), (r1, r2, s, e, m) => {
        const ing = new Ingestor({ ...SCHEMA });
        const a = ing.ingest(toColumnsObj(r1));
        const b = new Ingestor({ ...SCHEMA }).ingest(toColumnsObj(r2)); // other dictionary
        const rowsA = toRows(a);
        const rowsB = toRows(b);
        const start = s % (r1.length + 1);
        const end = e % (r1.length + 1);
        expect(toRows(a.slice(start, end))).toEqual(rowsA.slice(start, end));
        const idx = r1.map((_, i) => r1.length - 1 - i);
        expect(toRows(a.take(idx))).toEqual(idx.map((i) => rowsA[i]));
        const mask = Uint8Array.from(r1.map((_, i) => (m[i] ? 1 : 0)));
        expect(toRows(a.filter(mask))).toEqual(rowsA.filter((_, i) => mask[i]));
        expect(toRows(Frame.concat([a, b]))).toEqual([...rowsA, ...rowsB]);
      }),
      { numRuns: runs(100) },
    );
  });

  it('rejects inconsistent construction and unknown columns', () => {
    expect(() => new Frame({ a: { dtype: 'float64', data: new Float64Array(2) }, b: { dtype: 'float64', data: new Float64Array(3) } })).toThrow(/"b" has 3 rows/);
    expect(() => Frame.empty({ a: 'float64' }).col('z')).toThrow(/no column "z"/);
    expect(() => Frame.empty({ a: 'float64' }).filter(new Uint8Array(1))).toThrow(/mask has 1 rows/);
    expect(() => concatColumns([{ dtype: 'float64', data: new Float64Array(1) }, { dtype: 'int32', data: new Int32Array(1) }])).toThrow(/dtype/);
  });

  it('Dictionary', () => {
    const d = new Dictionary();
    expect([d.encode('a'), d.encode('b'), d.encode('a')]).toEqual([0, 1, 0]);
    expect([d.lookup('c'), d.decode(1), d.decode(-1), d.size]).toEqual([-1, 'b', null, 2]);
  });
});
