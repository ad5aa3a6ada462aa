import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { Ingestor, toArrow, toRows, toColumns, toDanfo, Frame, loadDanfo } from '../../src/dataframe/index.js';
import { SCHEMA, rowsArb, toColumnsObj } from './helpers.js';
import { runs } from './helpers.js';

describe('conversions round-trip', () => {
  it('Arrow (in memory and through IPC), rows, columns', () => {
    fc.assert(
      fc.property(rowsArb(40), (rows) => {
        const ing = new Ingestor({ ...SCHEMA });
        const f = ing.ingest(toColumnsObj(rows));
        const expected = toRows(f);
        const t = toArrow(f);
        expect(t.numRows).toBe(rows.length);
        expect(String(t.schema.fields.map((x) => x.type))).toBe('Dictionary<Int32, Utf8>,Int32,Bool,Float64,Timestamp<MILLISECOND>');
        const fresh = new Ingestor({ ...SCHEMA });
        expect(toRows(fresh.ingest(t))).toEqual(expected);
        expect(toRows(fresh.ingest(arrow.tableFromIPC(arrow.tableToIPC(t))))).toEqual(expected);
        expect(toRows(fresh.ingest(toRows(f)))).toEqual(expected);
        expect(toRows(fresh.ingest(toColumns(f)))).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('rows: timestamps as Date by default or ms', () => {
    const f = new Ingestor({ ts: 'timestamp' }).ingest({ ts: [1000, null] });
    expect(toRows(f)).toEqual([{ ts: new Date(1000) }, { ts: null }]);
    expect(toRows(f, { timestamps: 'ms' })).toEqual([{ ts: 1000 }, { ts: null }]);
    expect(toColumns(f).ts).toEqual(Float64Array.of(1000, NaN));
  });

  it('danfo (danfojs) round-trips', async () => {
    const ing = new Ingestor({ ...SCHEMA });
    const f = ing.ingest({ k: ['a', null, 'b'], n: [1, null, 3], b: [true, false, null], v: [1.5, NaN, -2], ts: [0, 1000, 2000] });
    const df = (await toDanfo(f)) as { columns: string[]; shape: number[] };
    expect(df.columns).toEqual(['k', 'n', 'b', 'v', 'ts']);
    expect(df.shape).toEqual([3, 5]);
    expect(toRows(new Ingestor({ ...SCHEMA }).ingest(df as never))).toEqual(toRows(f));
    expect((await loadDanfo()).DataFrame).toBeTypeOf('function');
  });

  it('empty frames convert', () => {
    const f = Frame.empty({ k: 'utf8', v: 'float64' });
    expect(toArrow(f).numRows).toBe(0);
    expect(toRows(f)).toEqual([]);
    expect(toColumns(f)).toEqual({ k: [], v: new Float64Array(0) });
  });
});
