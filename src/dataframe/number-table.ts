/**
 * number → non-negative int, in typed arrays. A Map keyed by the doubles read from a Float64Array
 * boxes each one into a heap number before the lookup; this table never does (grouping by a
 * numeric key spent most of its time in those lookups and the garbage they made). -0 and 0 are
 * one key, as in a Map; NaN is not a key.
 *
 * Two parts: integer keys of one dense range (ids, which most numeric keys are) are an offset
 * into an array, `dense[x - lo]`, with no hashing or probing; every other key goes to an
 * open-addressing hash table of the double's bits. The range widens (doubling) only while it
 * holds at most `SPREAD` slots per key, so its memory follows the key count; a key inside the
 * range is never in the hash part (a widening moves such keys over).
 */
const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

/** Most slots per key the dense range may have (keys scattered wider go to the hash part). */
const SPREAD = 4;
/** The dense range's first length: ids a few hundred apart (a hot key, then new ones) need no widening or hashing. */
const MIN_RANGE = 256;

export class NumberTable {
  private keys = new Float64Array(16);
  private vals = new Int32Array(16).fill(-1);
  private mask = 15;
  private hashed = 0;
  /** The smallest and largest key of the hash part (a widening that covers neither leaves it as it is). */
  private hashMin = Infinity;
  private hashMax = -Infinity;
  /** Keys expected in all (`reserve`): the hash part's size when it first takes a key. */
  private expect = 0;
  private lo = 0;
  private dense = new Int32Array(0);
  private inDense = 0;

  get size(): number {
    return this.hashed + this.inDense;
  }

  /** The value of `x`, or -1. */
  get(x: number): number {
    const d = this.slot(x);
    if (d >= 0) return this.dense[d];
    if (this.hashed === 0) return -1;
    const keys = this.keys;
    const vals = this.vals;
    let i = hashNumber(x) & this.mask;
    for (;;) {
      const v = vals[i];
      if (v < 0 || keys[i] === x) return v;
      i = (i + 1) & this.mask;
    }
  }

  /** Expect `n` keys in all: the hash part, if it is needed, is sized for them at once rather than by doubling. */
  reserve(n: number): void {
    this.expect = n;
    if (this.hashed > 0) while (2 * n > this.vals.length) this.grow();
  }

  /** Set `x` (not yet in the table) to `v` (≥ 0). */
  add(x: number, v: number): void {
    if (this.slot(x) >= 0 || this.widen(x)) {
      this.dense[x - this.lo] = v;
      this.inDense++;
      return;
    }
    if (this.hashed === 0) while (2 * this.expect > this.vals.length) this.grow();
    this.hash(x, v);
  }

  /** `x`'s index in the dense range, or -1 (not an integer, or outside it; the sum checks `x - lo` was not rounded). */
  private slot(x: number): number {
    const d = x - this.lo;
    return d >= 0 && d < this.dense.length && (d | 0) === d && d + this.lo === x ? d : -1;
  }

  /** Widen the dense range to take integer `x` if it stays dense enough; false if it would not. */
  private widen(x: number): boolean {
    if (!Number.isSafeInteger(x)) return false;
    const old = this.dense;
    if (old.length === 0) {
      this.lo = x + 0;
      this.dense = new Int32Array(MIN_RANGE).fill(-1);
      return true;
    }
    const lo = Math.min(this.lo, x);
    const hi = Math.max(this.lo + old.length, x + 1);
    let length = old.length;
    while (length < hi - lo) length *= 2;
    if (length > SPREAD * (this.size + 1) + MIN_RANGE) return false;
    // Room to grow on the side `x` came from.
    const newLo = x < this.lo ? hi - length : lo;
    const dense = new Int32Array(length).fill(-1);
    dense.set(old, this.lo - newLo);
    this.dense = dense;
    this.lo = newLo;
    if (this.hashed > 0 && this.hashMax >= newLo && this.hashMin < newLo + length) this.rehash();
    return true;
  }

  /** Move the hash part's keys that the dense range now covers into it, and rebuild the rest. */
  private rehash(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length);
    this.vals = new Int32Array(keys.length).fill(-1);
    this.hashed = 0;
    this.hashMin = Infinity;
    this.hashMax = -Infinity;
    for (let i = 0; i < keys.length; i++) {
      if (vals[i] < 0) continue;
      const d = this.slot(keys[i]);
      if (d >= 0) {
        this.dense[d] = vals[i];
        this.inDense++;
      } else this.hash(keys[i], vals[i]);
    }
  }

  private hash(x: number, v: number): void {
    if (2 * (this.hashed + 1) > this.vals.length) this.grow();
    let i = hashNumber(x) & this.mask;
    while (this.vals[i] >= 0) i = (i + 1) & this.mask;
    this.keys[i] = x + 0; // -0 stored as 0
    this.vals[i] = v;
    this.hashed++;
    if (x < this.hashMin) this.hashMin = x;
    if (x > this.hashMax) this.hashMax = x;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2).fill(-1);
    this.mask = keys.length * 2 - 1;
    this.hashed = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] >= 0) this.hash(keys[i], vals[i]);
  }
}

/** A hash of a double's bits (-0 as 0), for open-addressing tables keyed by numbers. */
export function hashNumber(x: number): number {
  scratch[0] = x + 0;
  const h = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}
