/**
 * The table side of an as-of join: per key, its rows ("versions") in event-time order, rows of
 * equal time in arrival order. `latest(key, t)` is the last version at or before t (pandas'
 * `merge_asof`, direction 'backward'). `prune(bound)` drops versions no lookup at or after
 * `bound` can pick: all but the last at or before it, and with a TTL those older than
 * `bound - ttl`. Pruning runs when the versions have doubled since the last prune, or (with a
 * TTL) when the bound moved a TTL on, so it costs O(1) per row, and expired keys go in time.
 *
 * Columnar, as `SideBuffer`: the rows in a `RowStore`; per row the next older version of its key
 * (`older`); per key its newest version, in a `RowIndex`. Key ids and times are read from the
 * stored columns when they are the key and time columns themselves (one float64 key, a float64
 * or timestamp time), else kept per row; a dropped version's time is NaN. So a version costs its
 * columns, 4 bytes and its share of the index (5 to 11 bytes a key).
 */
import type { Frame, Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { capacityFor, grown, RowStore } from './row-store.js';
import { RowIndex } from './row-index.js';

/** Columns of the rows that hold the key ids or the times as they are (undefined: kept apart). */
export interface DirectColumns {
  key?: string;
  time?: string;
}

export class VersionStore {
  private readonly rows: RowStore;
  private older = new Int32Array(0);
  /** Key ids and times per row when no column holds them; else undefined. */
  private ownKeys: Float64Array | undefined;
  private ownTs: Float64Array | undefined;
  /** Key ids and times per row (the columns' current arrays or the own ones: refreshed when the rows move). */
  private keys = new Float64Array(0);
  private ts = new Float64Array(0);
  private index = new RowIndex();
  private count = 0;
  private keptAtPrune = 0;
  private prunedAt = -Infinity;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
    /** Versions older than this (ms, before the looking-up row's time) do not match; Infinity: none expire. */
    readonly ttlMs = Infinity,
    private readonly direct: DirectColumns = {},
  ) {
    this.rows = new RowStore(schema, dicts);
    if (direct.key === undefined) this.ownKeys = new Float64Array(0);
    if (direct.time === undefined) this.ownTs = new Float64Array(0);
    this.refresh();
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
    this.refresh();
    for (let j = 0; j < keep.length; j++) {
      if (this.ownKeys !== undefined) this.ownKeys[at + j] = keys[keep[j]];
      if (this.ownTs !== undefined) this.ownTs[at + j] = ts[keep[j]];
      this.insert(at + j);
    }
    this.count += keep.length;
  }

  /** The row of the latest version of `key` at or before `t` (within the TTL), or -1. */
  latest(key: number, t: number): number {
    if (key !== key || t !== t) return -1;
    const ts = this.ts;
    let r = this.index.get(key, this.keys);
    while (r >= 0 && ts[r] > t) r = this.older[r];
    // A key whose versions all expired keeps its newest (dropped: time NaN) in the index until the next compaction.
    return r < 0 || ts[r] !== ts[r] || t - ts[r] > this.ttlMs ? -1 : r;
  }

  /** Versions `rows` (from `latest`) as a frame. */
  take(rows: ArrayLike<number>): Frame {
    return this.rows.take(rows);
  }

  /** Drop what no lookup at time ≥ `bound` can pick, if enough has piled up since the last prune (or a TTL passed). */
  prune(bound: number): void {
    if (this.count < 2 * this.keptAtPrune + 1024 && !(bound - this.prunedAt >= this.ttlMs)) return;
    this.prunedAt = bound;
    const { ts, older } = this;
    this.index.forEach((head) => {
      let r = head;
      let newer = -1;
      while (r >= 0 && ts[r] > bound) (newer = r), (r = older[r]);
      if (r < 0 || ts[r] !== ts[r]) return;
      // r is the last version at or before bound: it stays (unless expired); all older ones go.
      let drop = older[r];
      if (bound - ts[r] > this.ttlMs) {
        drop = r;
        if (newer >= 0) older[newer] = -1;
      } else older[r] = -1;
      while (drop >= 0) {
        const next = older[drop];
        ts[drop] = NaN;
        this.count--;
        drop = next;
      }
    });
    this.keptAtPrune = this.count;
    if (3 * this.count < 2 * this.rows.length) this.compact();
  }

  /** Every version, in one frame (the checkpoint), in arrival order (so equal times keep their order on restore). */
  held(): Frame {
    return this.rows.take(this.liveRows());
  }

  clear(): void {
    this.rows.clear();
    this.index.clear();
    this.count = 0;
    this.keptAtPrune = 0;
    this.prunedAt = -Infinity;
  }

  private refresh(): void {
    this.keys = this.ownKeys ?? this.rows.floats(this.direct.key!);
    this.ts = this.ownTs ?? this.rows.floats(this.direct.time!);
  }

  private liveRows(): Int32Array {
    const idx = new Int32Array(this.count);
    let n = 0;
    for (let i = 0; i < this.rows.length; i++) if (this.ts[i] === this.ts[i]) idx[n++] = i;
    return idx;
  }

  /** Link version `row` into its key's chain, before the first version not later than it (so it wins ties). */
  private insert(row: number): void {
    const { ts, older } = this;
    const t = ts[row];
    let r = this.index.get(this.keys[row], this.keys);
    if (r < 0 || !(ts[r] > t)) {
      older[row] = r >= 0 && ts[r] === ts[r] ? r : -1; // a dropped newest: the key had no versions left
      this.index.set(row, this.keys);
      return;
    }
    while (older[r] >= 0 && ts[older[r]] > t) r = older[r];
    older[row] = older[r];
    older[r] = row;
  }

  private reserve(need: number): void {
    const cap = capacityFor(need, this.older.length);
    if (cap === this.older.length) return;
    this.resize(cap, this.rows.length);
  }

  private resize(cap: number, used: number): void {
    this.older = grown(this.older, cap, used);
    if (this.ownKeys !== undefined) this.ownKeys = grown(this.ownKeys, cap, used);
    if (this.ownTs !== undefined) this.ownTs = grown(this.ownTs, cap, used);
  }

  /** Move the live versions to the front, in order; keys with none left leave the index. */
  private compact(): void {
    const idx = this.liveRows();
    const n = idx.length;
    const moved = new Int32Array(this.rows.length).fill(-1);
    for (let k = 0; k < n; k++) moved[idx[k]] = k;
    this.rows.keep(idx, n);
    for (let k = 0; k < n; k++) {
      const o = this.older[idx[k]];
      this.older[k] = o < 0 ? -1 : moved[o];
      if (this.ownKeys !== undefined) this.ownKeys[k] = this.ownKeys[idx[k]];
      if (this.ownTs !== undefined) this.ownTs[k] = this.ownTs[idx[k]];
    }
    const cap = capacityFor(n, 0);
    if (2 * cap <= this.older.length) {
      this.resize(cap, n);
      this.rows.shrink(cap);
    }
    this.refresh();
    this.index.remap(moved, this.keys);
  }
}
