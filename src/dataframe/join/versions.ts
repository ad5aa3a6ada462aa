/**
 * The table side of an as-of join: per key, its rows ("versions") in event-time order, rows of
 * equal time in arrival order. `latest(key, t)` is the last version at or before t (pandas'
 * `merge_asof`, direction 'backward'). `prune(bound)` drops versions no lookup at or after
 * `bound` can pick: all but the last at or before it, and with a TTL those older than
 * `bound - ttl`. Pruning runs when the versions have doubled since the last prune, or (with a
 * TTL) when the bound moved a TTL on, so it costs O(1) per row, and expired keys go in time.
 *
 * Columnar, as `SideBuffer`: the rows in a `RowStore`, each version's time (NaN once dropped)
 * and the next older version of its key (`older`), newest first from `head` per key slot.
 */
import type { Frame, Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { NumberTable } from '../number-table.js';
import { capacityFor, grown, RowStore } from './row-store.js';

export class VersionStore {
  private readonly rows: RowStore;
  private ts = new Float64Array(0);
  private older = new Int32Array(0);
  private slots = new NumberTable();
  /** Per key slot: its newest version (-1: none left) and its key. */
  private head = new Int32Array(16);
  private slotKeys = new Float64Array(16);
  private count = 0;
  private keptAtPrune = 0;
  private prunedAt = -Infinity;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
    /** Versions older than this (ms, before the looking-up row's time) do not match; Infinity: none expire. */
    readonly ttlMs = Infinity,
  ) {
    this.rows = new RowStore(schema, dicts);
  }

  get size(): number {
    return this.count;
  }

  add(frame: Frame, keys: Float64Array, ts: Float64Array, rows: ArrayLike<number>): void {
    const keep: number[] = [];
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      if (keys[i] === keys[i] && ts[i] === ts[i]) keep.push(i); // a null key or time is never the latest of anything
    }
    const at = this.rows.length;
    this.reserve(at + keep.length);
    this.rows.append(frame, keep, keep.length);
    for (let j = 0; j < keep.length; j++) this.insert(at + j, keys[keep[j]], ts[keep[j]]);
    this.count += keep.length;
  }

  /** The row of the latest version of `key` at or before `t` (within the TTL), or -1. */
  latest(key: number, t: number): number {
    if (key !== key || t !== t) return -1;
    const slot = this.slots.get(key);
    if (slot < 0) return -1;
    let r = this.head[slot];
    while (r >= 0 && this.ts[r] > t) r = this.older[r];
    return r < 0 || t - this.ts[r] > this.ttlMs ? -1 : r;
  }

  /** Versions `rows` (from `latest`) as a frame. */
  take(rows: ArrayLike<number>): Frame {
    return this.rows.take(rows);
  }

  /** Drop what no lookup at time ≥ `bound` can pick, if enough has piled up since the last prune (or a TTL passed). */
  prune(bound: number): void {
    if (this.count < 2 * this.keptAtPrune + 1024 && !(bound - this.prunedAt >= this.ttlMs)) return;
    this.prunedAt = bound;
    for (let s = 0; s < this.slots.size; s++) {
      let r = this.head[s];
      let newer = -1;
      while (r >= 0 && this.ts[r] > bound) (newer = r), (r = this.older[r]);
      if (r < 0) continue;
      // r is the last version at or before bound: it stays (unless expired); all older ones go.
      let drop = this.older[r];
      this.older[r] = -1;
      if (bound - this.ts[r] > this.ttlMs) {
        drop = r;
        if (newer < 0) this.head[s] = -1;
        else this.older[newer] = -1;
      }
      for (; drop >= 0; drop = this.older[drop]) {
        this.ts[drop] = NaN;
        this.count--;
      }
    }
    this.keptAtPrune = this.count;
    if (3 * this.count < 2 * this.rows.length) this.compact();
  }

  /** Every version, in one frame (the checkpoint), in arrival order (so equal times keep their order on restore). */
  held(): Frame {
    return this.rows.take(this.liveRows());
  }

  clear(): void {
    this.rows.clear();
    this.slots = new NumberTable();
    this.count = 0;
    this.keptAtPrune = 0;
    this.prunedAt = -Infinity;
  }

  private liveRows(): Int32Array {
    const idx = new Int32Array(this.count);
    let n = 0;
    for (let i = 0; i < this.rows.length; i++) if (this.ts[i] === this.ts[i]) idx[n++] = i;
    return idx;
  }

  /** Link version `row` into its key's chain, before the first version not later than it (so it wins ties). */
  private insert(row: number, key: number, t: number): void {
    let slot = this.slots.get(key);
    if (slot < 0) slot = this.newSlot(key);
    this.ts[row] = t;
    let r = this.head[slot];
    if (r < 0 || this.ts[r] <= t) {
      this.older[row] = r;
      this.head[slot] = row;
      return;
    }
    while (this.older[r] >= 0 && this.ts[this.older[r]] > t) r = this.older[r];
    this.older[row] = this.older[r];
    this.older[r] = row;
  }

  private newSlot(key: number): number {
    const slot = this.slots.size;
    this.slots.add(key, slot);
    if (slot === this.head.length) {
      this.head = grown(this.head, slot * 2, slot);
      this.slotKeys = grown(this.slotKeys, slot * 2, slot);
    }
    this.head[slot] = -1;
    this.slotKeys[slot] = key;
    return slot;
  }

  private reserve(need: number): void {
    const cap = capacityFor(need, this.ts.length);
    if (cap === this.ts.length) return;
    this.ts = grown(this.ts, cap, this.rows.length);
    this.older = grown(this.older, cap, this.rows.length);
  }

  /** Move the live versions to the front, in order; keys with none left lose their slots. */
  private compact(): void {
    const idx = this.liveRows();
    const n = idx.length;
    const moved = new Int32Array(this.rows.length).fill(-1);
    for (let k = 0; k < n; k++) moved[idx[k]] = k;
    this.rows.keep(idx, n);
    for (let k = 0; k < n; k++) {
      const o = this.older[idx[k]];
      this.ts[k] = this.ts[idx[k]];
      this.older[k] = o < 0 ? -1 : moved[o];
    }
    const heads = this.head;
    const keys = this.slotKeys;
    const slots = this.slots.size;
    this.slots = new NumberTable();
    this.head = new Int32Array(Math.max(16, slots));
    this.slotKeys = new Float64Array(this.head.length);
    for (let s = 0; s < slots; s++) if (heads[s] >= 0) this.head[this.newSlot(keys[s])] = moved[heads[s]];
    const cap = capacityFor(n, 0);
    if (2 * cap <= this.ts.length) {
      this.ts = grown(this.ts, cap, n);
      this.older = grown(this.older, cap, n);
      this.rows.shrink(cap);
    }
  }
}
