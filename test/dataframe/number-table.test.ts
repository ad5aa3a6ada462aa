import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NumberTable } from '../../src/dataframe/number-table.js';
import { runs } from './helpers.js';

/** Property runs take long on a loaded 2-core machine, and SDF_FC_SCALE multiplies them. */
const LONG = 120_000 * Number(process.env.SDF_FC_SCALE ?? 1);

/** Keys that exercise both parts: runs of nearby integers (the dense range, widened either way), far integers, fractions, -0, huge values. */
const key = fc.oneof(
  fc.integer({ min: 300, max: 500 }),
  fc.integer({ min: -40, max: 40 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(-0, 0.5, -1e-300, 1e300, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, Infinity, -Infinity),
  fc.double({ noNaN: true }),
);

describe('NumberTable', () => {
  it('maps each key to the value it was added with, as a Map does (-0 and 0 one key), across widenings of its dense range', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300, size: 'max' }), fc.nat({ max: 300 }), (xs, reserve) => {
        const table = new NumberTable();
        table.reserve(reserve);
        const map = new Map<number, number>();
        const wrong: string[] = [];
        for (const x of xs) {
          const k = x + 0;
          const got = table.get(x);
          if (got !== (map.get(k) ?? -1)) wrong.push(`get(${x}) = ${got} before adding it`);
          if (!map.has(k)) {
            map.set(k, map.size);
            table.add(x, map.size - 1);
          }
        }
        for (const [k, v] of map) if (table.get(k) !== v) wrong.push(`get(${k}) = ${table.get(k)}, not ${v}`);
        for (const probe of [0.25, -7.5, 1e15 + 0.5, NaN]) if (!map.has(probe) && table.get(probe) !== -1) wrong.push(`get(${probe}) found`);
        expect(wrong).toEqual([]);
        expect(table.size).toBe(map.size);
      }),
      { numRuns: runs(200) },
    );
  }, LONG);

  it('finds 100 000 increasing ids (the dense range widened many times) and 1000 scattered ones (the hash part)', () => {
    const table = new NumberTable();
    for (let i = 0; i < 100_000; i++) table.add(5_000_000 + i, i);
    for (let i = 0; i < 100_000; i += 997) expect(table.get(5_000_000 + i)).toBe(i);
    const scattered = new NumberTable();
    for (let i = 0; i < 1000; i++) scattered.add(i * 1_000_003, i);
    for (let i = 0; i < 1000; i++) expect(scattered.get(i * 1_000_003)).toBe(i);
    expect(scattered.get(1_000_004)).toBe(-1);
  });
});
