/**
 * number → non-negative int, an open-addressing hash table in typed arrays. A Map keyed by the
 * doubles read from a Float64Array boxes each one into a heap number before the lookup; this
 * table hashes the double's bits in place (grouping by a numeric key spent most of its time in
 * those lookups and the garbage they made). -0 and 0 are one key, as in a Map; NaN is not a key.
 */
const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

export class NumberTable {
  private keys = new Float64Array(16);
  private vals = new Int32Array(16).fill(-1);
  private mask = 15;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of `x`, or -1. */
  get(x: number): number {
    const keys = this.keys;
    const vals = this.vals;
    let i = hashNumber(x) & this.mask;
    for (;;) {
      const v = vals[i];
      if (v < 0 || keys[i] === x) return v;
      i = (i + 1) & this.mask;
    }
  }

  /** Make room for `n` keys in all without growing (a table about to take a known number of keys). */
  reserve(n: number): void {
    while (2 * n > this.vals.length) this.grow();
  }

  /** Set `x` (not yet in the table) to `v` (≥ 0). */
  add(x: number, v: number): void {
    if (2 * (this.count + 1) > this.vals.length) this.grow();
    let i = hashNumber(x) & this.mask;
    while (this.vals[i] >= 0) i = (i + 1) & this.mask;
    this.keys[i] = x + 0; // -0 stored as 0
    this.vals[i] = v;
    this.count++;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2).fill(-1);
    this.mask = keys.length * 2 - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] >= 0) this.add(keys[i], vals[i]);
  }
}

/** A hash of a double's bits (-0 as 0), for open-addressing tables keyed by numbers. */
export function hashNumber(x: number): number {
  scratch[0] = x + 0;
  const h = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}
