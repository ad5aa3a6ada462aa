/**
 * The table side of an as-of join: per key, its rows ("versions") in event-time order, rows of
 * equal time in arrival order. `latest(key, t)` is the last version at or before t (pandas'
 * `merge_asof`, direction 'backward'). `prune(bound)` drops versions no lookup at or after
 * `bound` can pick: all but the last at or before it, and with a TTL those older than
 * `bound - ttl`. Pruning runs when the versions have doubled since the last prune, or (with a
 * TTL) when the bound moved a TTL on, so it costs O(1) per row, and expired keys go in time.
 */
import { Frame, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';

/**
 * One key's versions in one flat array, three slots each: time, row, frame (one allocation per
 * key, not four: a table of many keys with one version each is the common case).
 */
type Versions = (number | Frame)[];
const W = 3;
const tAt = (v: Versions, k: number) => v[k * W] as number;

export class VersionStore {
  private byKey = new Map<number, Versions>();
  private count = 0;
  private keptAtPrune = 0;
  private prunedAt = -Infinity;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
    /** Versions older than this (ms, before the looking-up row's time) do not match; Infinity: none expire. */
    readonly ttlMs = Infinity,
  ) {}

  get size(): number {
    return this.count;
  }

  add(frame: Frame, keys: Float64Array, ts: Float64Array, rows: ArrayLike<number>): void {
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      const t = ts[i];
      if (keys[i] !== keys[i] || t !== t) continue; // a null key or time is never the latest of anything
      const v = this.byKey.get(keys[i]);
      this.count++;
      if (v === undefined) this.byKey.set(keys[i], [t, i, frame]);
      else if (t >= tAt(v, v.length / W - 1)) v.push(t, i, frame); // in order (the usual case): append
      else v.splice(upperBound(v, t) * W, 0, t, i, frame);
    }
  }

  /** The latest version of `key` at or before `t` (within the TTL): its frame and row, or undefined. */
  latest(key: number, t: number): { frame: Frame; row: number } | undefined {
    const v = key !== key || t !== t ? undefined : this.byKey.get(key);
    if (v === undefined) return undefined;
    const at = upperBound(v, t) - 1;
    if (at < 0 || t - tAt(v, at) > this.ttlMs) return undefined;
    return { frame: v[at * W + 2] as Frame, row: v[at * W + 1] as number };
  }

  /** Drop what no lookup at time ≥ `bound` can pick, if enough has piled up since the last prune (or a TTL passed). */
  prune(bound: number): void {
    if (this.count < 2 * this.keptAtPrune + 1024 && !(bound - this.prunedAt >= this.ttlMs)) return;
    this.prunedAt = bound;
    for (const [key, v] of this.byKey) {
      const n = v.length / W;
      let from = Math.max(0, upperBound(v, bound) - 1);
      if (this.ttlMs < Infinity) while (from < n && bound - tAt(v, from) > this.ttlMs) from++;
      if (from === 0) continue;
      this.count -= from;
      if (from === n) this.byKey.delete(key);
      else v.splice(0, from * W);
    }
    this.keptAtPrune = this.count;
  }

  /** Every version, in one frame (the checkpoint); key order, then time. */
  held(): Frame {
    const parts: Frame[] = [];
    let run: { frame: Frame; rows: number[] } | undefined;
    for (const v of this.byKey.values()) {
      for (let k = 0; k < v.length; k += W) {
        const frame = v[k + 2] as Frame;
        if (run === undefined || run.frame !== frame) {
          if (run !== undefined) parts.push(run.frame.take(run.rows));
          run = { frame, rows: [] };
        }
        run.rows.push(v[k + 1] as number);
      }
    }
    if (run) parts.push(run.frame.take(run.rows));
    return Frame.concat(parts, this.schema, this.dicts);
  }

  clear(): void {
    this.byKey.clear();
    this.count = 0;
    this.keptAtPrune = 0;
    this.prunedAt = -Infinity;
  }
}

/** First version whose time is greater than `t` (so equal times keep arrival order). */
function upperBound(v: Versions, t: number): number {
  let lo = 0;
  let hi = v.length / W;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tAt(v, mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
