/**
 * The dictionary's cache of recent strings (dictionary.ts) must never change a code: whatever the
 * strings (colliding slots, ids that differ only in the middle, "" and one character, fresh string
 * objects equal to cached ones, nulls in a column), `encode` and `encodeStrings` give each string
 * the code of its first appearance, as a plain Map would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dictionary, Ingestor } from '../../src/dataframe/index.js';

/** Codes in order of first appearance, the way the dictionary must number strings. */
function reference(strings: readonly string[]): number[] {
  const seen = new Map<string, number>();
  return strings.map((s) => {
    if (!seen.has(s)) seen.set(s, seen.size);
    return seen.get(s)!;
  });
}

const fresh = (s: string) => (s + ' ').slice(0, -1); // an equal string, another object
const stringArb = fc.oneof(
  fc.constantFrom('', 'a', 'b', 'ab', 'ba'),
  fc.integer({ min: 0, max: 40 }).map((i) => `key${i}`),
  fc.integer({ min: 0, max: 3000 }).map((i) => `user-${i}-0f3c9a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6`), // same ends, same middle
  fc.string({ maxLength: 6 }),
);

describe('Dictionary', () => {
  it('gives each string the code of its first appearance, one at a time and a column at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.array(stringArb, { maxLength: 2000 }), { maxLength: 8 }), fc.boolean(), (batches, copies) => {
        const d = new Dictionary();
        const all = batches.flat();
        const got: number[] = [];
        batches.forEach((b, j) => {
          const input = copies ? b.map(fresh) : b;
          if (j % 2 === 0) got.push(...input.map((s) => d.encode(s)));
          else {
            const out = new Int32Array(input.length);
            expect(d.encodeStrings(input, out)).toBe(input.length);
            got.push(...out);
          }
        });
        expect(got).toEqual(reference(all));
        expect(got.map((c) => d.decode(c))).toEqual(all);
        expect(d.size).toBe(new Set(all).size);
      }),
      { numRuns: 200 },
    );
  });

  it('stays right while the cache turns itself off (most lookups miss) and on again', () => {
    const d = new Dictionary();
    const strings: string[] = [];
    // 40 000 ids that share their last characters and middle, then a few keys again and again
    for (let i = 0; i < 40_000; i++) strings.push(`id-${i}-${'x'.repeat(20)}`);
    for (let i = 0; i < 200_000; i++) strings.push(`key${i % 7}`, `id-${i % 40_000}-${'x'.repeat(20)}`);
    const out = new Int32Array(strings.length);
    for (let at = 0; at < strings.length; at += 1000) {
      const part = strings.slice(at, at + 1000);
      out.set(part.map((s) => d.encode(s)).slice(0, 500), at);
      const rest = new Int32Array(part.length - 500);
      d.encodeStrings(part.slice(500), rest);
      out.set(rest, at + 500);
    }
    const want = reference(strings);
    expect(want.findIndex((c, i) => out[i] !== c)).toBe(-1); // not toEqual: its diff of 440 000 codes takes minutes
  });

  it('stops at a value that is not a string; ingest codes nulls -1 and refuses numbers, naming the row', () => {
    const d = new Dictionary();
    const out = new Int32Array(4);
    expect(d.encodeStrings(['a', 'b', null, 'a'], out)).toBe(2);
    expect(d.encodeStrings(['a', 'b', null, 'a'], out, 3)).toBe(4);
    expect(Array.from(out)).toEqual([0, 1, 0, 0]);
    const ing = new Ingestor({ k: 'utf8' });
    expect(Array.from(ing.ingest({ k: ['x', null, undefined, 'y', 'x'] }).col('k').data)).toEqual([0, -1, -1, 1, 0]);
    expect(() => ing.ingest({ k: ['x', 'y', 3] })).toThrow(/column "k": expected utf8, got number \(3\) at row 2/);
  });
});
