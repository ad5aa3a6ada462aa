// RowIndex (the per-key index of join state) against a Map: any keys (many, so the table grows; -0 and 0), any room given up front, any rows moved.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RowIndex } from '../../src/dataframe/join/row-index.js';
import { runs } from './helpers.js';

const keyArb = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(-0, 0, 0.5, 1e300, -Infinity));

describe('RowIndex', () => {
  it('holds the last row set per key, through growth and remaps, as a Map does', () => {
    fc.assert(
      fc.property(fc.array(fc.array(keyArb, { maxLength: 200 }), { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 1 }), fc.integer({ min: 0, max: 300 }), (rounds, keepPattern, room) => {
        const index = new RowIndex(room);
        const model = new Map<number, number>(); // key (-0 as 0) → row
        let keys: number[] = [];
        for (const round of rounds) {
          for (const k of round) {
            keys.push(k);
            const row = keys.length - 1;
            index.set(row, Float64Array.from(keys));
            model.set(k + 0, row);
          }
          // Move the rows: some go, the rest close up in order (as a compaction does).
          const moved = new Int32Array(keys.length).fill(-1);
          const kept: number[] = [];
          keys.forEach((k, r) => {
            if (keepPattern[r % keepPattern.length]) (moved[r] = kept.length), kept.push(k);
          });
          keys = kept;
          index.remap(moved, Float64Array.from(keys));
          for (const [k, r] of model) {
            if (moved[r] < 0) model.delete(k);
            else model.set(k, moved[r]);
          }
          const now = Float64Array.from(keys);
          for (const k of [...round, 301, -0.25]) expect(index.get(k, now)).toBe(model.get(k + 0) ?? -1);
          expect(index.size).toBe(model.size);
          const held: number[] = [];
          index.forEach((r) => held.push(r));
          expect(held.sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
        }
      }),
      { numRuns: runs(200) },
    );
  });
});
