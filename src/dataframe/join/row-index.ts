/**
 * Key → row, an open-addressing table holding only row numbers (4 bytes a slot): the key of a
 * slot is read from the row it holds (`keys[row]`: the rows' key ids, or the key column itself
 * when it is one float64 column), so the table keeps no copy of the keys. A join's per-key index
 * points at each key's newest row, the rest of its rows chained from there. -0 and 0 are one key;
 * NaN is none. Filled up to three quarters, so a key costs 5 to 11 bytes.
 */
import { hashNumber } from '../number-table.js';

export class RowIndex {
  private table: Int32Array;
  private mask: number;
  private count = 0;

  /** `keys`: how many keys to make room for at once (a table built from rows known in advance). */
  constructor(keys = 0) {
    this.table = new Int32Array(tableSize(keys)).fill(-1);
    this.mask = this.table.length - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The row held for `key`, or -1. */
  get(key: number, keys: Float64Array): number {
    const table = this.table;
    for (let i = hashNumber(key) & this.mask; ; i = (i + 1) & this.mask) {
      const r = table[i];
      if (r < 0 || keys[r] === key) return r;
    }
  }

  /** Hold `row` for its key `keys[row]` (instead of the row held before, if any). */
  set(row: number, keys: Float64Array): void {
    const key = keys[row];
    const table = this.table;
    for (let i = hashNumber(key) & this.mask; ; i = (i + 1) & this.mask) {
      const r = table[i];
      if (r >= 0 && keys[r] !== key) continue;
      table[i] = row;
      if (r < 0 && 4 * ++this.count > 3 * table.length) this.rehash((r) => r, keys, table.length * 2);
      return;
    }
  }

  /** Call `fn` with each row held (one per key). */
  forEach(fn: (row: number) => void): void {
    for (const r of this.table) if (r >= 0) fn(r);
  }

  /**
   * After rows moved (`moved[old row]`: its new number, -1: gone), hold the new numbers, and
   * drop the keys whose row went; `keys` are the moved rows' keys.
   */
  remap(moved: Int32Array, keys: Float64Array): void {
    let live = 0;
    for (const r of this.table) if (r >= 0 && moved[r] >= 0) live++;
    this.rehash((r) => moved[r], keys, tableSize(live));
  }

  clear(): void {
    this.table = new Int32Array(16).fill(-1);
    this.mask = 15;
    this.count = 0;
  }

  private rehash(to: (row: number) => number, keys: Float64Array, size: number): void {
    const old = this.table;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.count = 0;
    for (const r of old) {
      const row = r < 0 ? -1 : to(r);
      if (row < 0) continue;
      let i = hashNumber(keys[row]) & this.mask;
      while (this.table[i] >= 0) i = (i + 1) & this.mask;
      this.table[i] = row;
      this.count++;
    }
  }
}

/** Slots for `keys` keys at most three quarters full (a power of two, at least 16). */
function tableSize(keys: number): number {
  let size = 16;
  while (4 * keys > 3 * size) size *= 2;
  return size;
}
