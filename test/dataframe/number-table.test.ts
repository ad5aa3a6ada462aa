import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NumberTable } from '../../src/dataframe/number-table.js';
import { runs } from './helpers.js';

/** Keys that exercise both parts: runs of nearby integers (the dense range, widened either way), far integers, fractions, -0, huge values. */
const key = fc.oneof(
  fc.integer({ min: 1000, max: 1200 }),
  fc.integer({ min: -40, max: 40 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(-0, 0.5, -1e-300, 1e300, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, Infinity, -Infinity),
  fc.double({ noNaN: true }),
);

describe('NumberTable', () => {
  it('maps each key to the value it was added with, as a Map does (-0 and 0 one key), across widenings of its dense range', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 400 }), fc.nat({ max: 300 }), (xs, reserve) => {
        const table = new NumberTable();
        table.reserve(reserve);
        const map = new Map<number, number>();
        for (const x of xs) {
          const k = x + 0;
          if (map.has(k)) expect(table.get(x)).toBe(map.get(k));
          else {
            expect(table.get(x)).toBe(-1);
            map.set(k, map.size);
            table.add(x, map.size - 1);
          }
          expect(table.size).toBe(map.size);
        }
        for (const [k, v] of map) expect(table.get(k)).toBe(v);
        for (const probe of [0.25, -7.5, 1e15 + 0.5, NaN]) if (!map.has(probe)) expect(table.get(probe)).toBe(-1);
      }),
      { numRuns: runs(300) },
    );
  });

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
