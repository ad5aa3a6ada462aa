import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Grouper, Ingestor, type Schema } from '../../src/dataframe/index.js';
import { runs } from './helpers.js';

/** Group keys, recomputed from scratch: distinct values by first appearance, and their sorted order (nulls last). */
function recompute(values: (number | string | null)[], dropna: boolean): { first: (number | string | null)[]; sorted: (number | string | null)[] } {
  const first: (number | string | null)[] = [];
  for (const v of values) {
    if (v === null && dropna) continue;
    if (!first.some((f) => Object.is(f, v) || (f === 0 && v === 0))) first.push(v);
  }
  const sorted = [...first].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
  return { first, sorted };
}

const numberKey = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-0, 0.5, 1e300, -1e-300, 2 ** 53), fc.constant(null));
const stringKey = fc.option(fc.constantFrom('a', 'b', 'B', 'ab', 'é', ''), { nil: null });

describe('Grouper', () => {
  for (const [dtype, key] of [['float64', numberKey], ['int32', numberKey.filter((v) => v === null || Number.isInteger(v) && Math.abs(v) < 2 ** 31)], ['utf8', stringKey]] as const) {
    it(`${dtype} key: ids stay with their keys across batches, and the kept key order equals a fresh sort`, () => {
      fc.assert(
        fc.property(fc.array(fc.array(key as fc.Arbitrary<number | string | null>, { maxLength: 30 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (batches, dropna) => {
          const schema: Schema = { k: dtype };
          const ing = new Ingestor(schema);
          const grouper = new Grouper(['k'], schema, ing.dicts, dropna);
          const seen: (number | string | null)[] = [];
          for (const b of batches) {
            const frame = ing.ingest({ k: b });
            const gids = grouper.assign(frame);
            seen.push(...b);
            const { first, sorted } = recompute(seen, dropna);
            // every row's id is its key's rank of first appearance (dropped nulls: -1)
            b.forEach((v, i) => expect(gids[i]).toBe(v === null && dropna ? -1 : first.findIndex((f) => Object.is(f, v) || (f === 0 && v === 0))));
            const order = grouper.sortedOrder();
            const col = grouper.keyColumns(order).k;
            const got = Array.from({ length: order.length }, (_, i) => (col.dtype === 'utf8' ? col.dict.decode(col.data[i]) : col.dtype === 'int32' && col.validity?.[i] === 0 ? null : col.data[i] !== col.data[i] ? null : col.data[i]));
            expect(got.map((v) => (v === 0 ? 0 : v))).toEqual(sorted.map((v) => (v === 0 ? 0 : v)));
          }
        }),
        { numRuns: runs(300) },
      );
    });
  }
});
