import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ingestor, SchemaMismatchError, toRows } from '../../src/dataframe/index.js';
import { runs } from './helpers.js';

const schema = { k: 'utf8', v: 'float64', ts: 'timestamp', i: 'int32', b: 'bool' } as const;
const names = Object.keys(schema) as (keyof typeof schema)[];

/** A row as JSON could carry it: each column a valid value, null, or absent (in a random key order). */
const rowArb = fc
  .record(
    {
      k: fc.option(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('key1', 'key2', 'a"b', 'a\\b', 'é', '\u2028')), { nil: null }),
      v: fc.option(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 1e21, 1.5e-7, 123456789012345, 2 ** 53)), { nil: null }),
      ts: fc.option(fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.constantFrom('2024-01-01T00:00:00Z')), { nil: null }),
      i: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
      b: fc.option(fc.boolean(), { nil: null }),
    },
    { requiredKeys: [] },
  )
  .chain((r) => fc.shuffledSubarray(Object.keys(r), { minLength: Object.keys(r).length }).map((order) => Object.fromEntries(order.map((k) => [k, r[k as keyof typeof r]]))));

const lineArb = (r: Record<string, unknown>) =>
  fc.tuple(fc.constantFrom(0, 1, '\t', ' \n'), fc.boolean()).map(([space, asString]) => {
    const text = JSON.stringify(r, null, space as string | number);
    return asString ? text : Buffer.from(text);
  });

describe('ingest: JSON lines', () => {
  it('gives what JSON.parse per line and row ingest give (any column order, whitespace, escapes, nulls, absent columns)', () => {
    fc.assert(
      fc.property(fc.array(rowArb.chain((r) => lineArb(r)), { minLength: 1, maxLength: 40 }), fc.boolean(), (lines, strings) => {
        const batch: (string | Buffer)[] = strings ? lines.map((l) => (typeof l === 'string' ? l : l.toString('utf8'))) : lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l));
        const parsed = batch.map((l) => JSON.parse(typeof l === 'string' ? l : l.toString('utf8')) as Record<string, unknown>);
        // every column appears in some row, so both sides pass the schema check
        parsed.push(Object.fromEntries(names.map((n) => [n, null])));
        batch.push(strings ? JSON.stringify(parsed[parsed.length - 1]) : Buffer.from(JSON.stringify(parsed[parsed.length - 1])));
        const viaRows = toRows(new Ingestor({ ...schema }).ingest(parsed), { timestamps: 'ms' });
        const viaLines = toRows(new Ingestor({ ...schema }).ingest(batch as Buffer[]), { timestamps: 'ms' });
        expect(viaLines).toEqual(viaRows);
      }),
      { numRuns: runs(200) },
    );
  });

  // Numbers as any producer may write them (not only JavaScript's shortest form): up to 25 digits
  // before and after the point, trailing zeros, exponents. Read as JSON.parse reads them, to the bit.
  const digits = (max: number) => fc.array(fc.constantFrom(...'0123456789'), { maxLength: max }).map((d) => d.join(''));
  const numberText = fc
    .tuple(fc.boolean(), fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(24)).map(([a, b]) => a + b)), fc.option(digits(25).map((d) => d || '0')), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 330 }))))
    .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);
  it('numbers of any digits read to the same double as JSON.parse', () => {
    fc.assert(
      fc.property(fc.array(numberText, { minLength: 1, maxLength: 50 }), (texts) => {
        const f = new Ingestor({ v: 'float64' }).ingest(texts.map((t) => `{"v":${t}}`));
        texts.forEach((t, i) => expect(Object.is(f.col('v').data[i], JSON.parse(t)), `${t}: ${f.col('v').data[i]}`).toBe(true));
      }),
      { numRuns: runs(300) },
    );
  });

  it('row objects give what the same values as columns give', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), (rows) => {
        rows.push(Object.fromEntries(names.map((n) => [n, null])));
        const columns = Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])]));
        expect(toRows(new Ingestor({ ...schema }).ingest(rows), { timestamps: 'ms' })).toEqual(toRows(new Ingestor({ ...schema }).ingest(columns), { timestamps: 'ms' }));
      }),
      { numRuns: runs(200) },
    );
  });

  it('a line that is not one JSON object fails naming its row, also when joined lines would parse', () => {
    const ok = '{"k":"a","v":1,"ts":0,"i":1,"b":true}';
    const bad: [string[], RegExp][] = [
      [[ok, 'not json'], /at row 1/],
      [[ok, '[1,2]'], /not an object.*at row 1/],
      [['{"k":"a"', ok], /at row 0/],
      [[ok, '{"k":"a"},{"k":"b"}'], /at row 1/],
      // each half alone is broken, together they would read as one row
      [['{"k":"', '","v":1,"ts":0,"i":1,"b":true}'], /at row 0/],
      [[ok, '{"k":"a\u0000"}'], /at row 1/],
      [[ok, '{"v":01}'], /at row 1/],
      [[ok, '{"v":1.}'], /at row 1/],
      [[ok, ''], /at row 1/],
    ];
    for (const [lines, message] of bad) {
      for (const asBytes of [false, true]) {
        const batch = asBytes ? lines.map((l) => Buffer.from(l)) : lines;
        expect(() => new Ingestor({ ...schema }).ingest(batch as Buffer[]), lines.join(' | ')).toThrow(SchemaMismatchError);
        expect(() => new Ingestor({ ...schema }).ingest(batch as Buffer[])).toThrow(message);
      }
    }
  });

  it('values of the wrong type and columns outside the schema are schema errors, as for rows', () => {
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":1,"v":1,"ts":0,"i":1,"b":true}'] as never)).toThrow(/column "k": expected utf8, got number \(1\) at row 0/);
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":"a","v":"x","ts":0,"i":1,"b":true}'] as never)).toThrow(/column "v": expected float64/);
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":"a","v":1,"ts":0,"i":1.5,"b":true}'] as never)).toThrow(/column "i": expected int32/);
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":"a","v":1,"ts":0,"i":1,"b":true,"x":{"y":[1]}}'] as never)).toThrow(/column "x".*extra column/);
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":"a"}'] as never)).toThrow(/column "v".*missing column/);
    const drop = new Ingestor({ ...schema }, { extra: 'drop' }).ingest(['{"k":"a","x":{"y":[1]},"v":2,"ts":0,"i":1,"b":false}'] as never);
    expect(toRows(drop, { timestamps: 'ms' })).toEqual([{ k: 'a', v: 2, ts: 0, i: 1, b: false }]);
    expect(() => new Ingestor({ ...schema }).ingest(['{"k":"a","v":1,"ts":0,"i":1,"b":true}', 5] as never)).toThrow(/at row 1/);
  });
});
