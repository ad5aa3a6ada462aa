/**
 * The table side of an as-of join: per key, its versions in event-time order (equal times in
 * arrival order). `latest(key, t)` is the last version at or before t, unless older than the TTL
 * (pandas' `merge_asof`, direction 'backward'). `prune(bound)` frees, as soon as the bound
 * passes them, the versions no lookup at or after `bound` can pick: each version that a newer
 * one at or before `bound` supersedes, and with a TTL each older than `bound - ttl`.
 */
import type { Meta } from '../meta.js';
import { MinHeap } from './min-heap.js';

/** A kept version: its references stay retained until it is freed. */
export interface Version<X> {
  readonly key: unknown;
  readonly x: X;
  readonly ts: number;
  readonly meta: Meta;
  /** Arrival order, which a snapshot keeps: it does not depend on how the two inputs interleaved. */
  readonly seq: number;
  freed: boolean;
}

/** From event time `at` on (once the bound passes it), `version` may be freed. */
interface Expiry<X> {
  at: number;
  version: Version<X>;
}

export class VersionTable<X> {
  private readonly byKey = new Map<unknown, Version<X>[]>();
  /** Pending frees, earliest first; an entry whose version went already is skipped. */
  private readonly expiries = new MinHeap<Expiry<X>>((a, b) => a.at < b.at);
  private created = 0;
  private count = 0;

  /** Versions older than this (ms before the looking-up element's time) do not match; Infinity: none expire. */
  constructor(readonly ttlMs: number) {}

  get size(): number {
    return this.count;
  }

  add(key: unknown, x: X, ts: number, meta: Meta): void {
    const v: Version<X> = { key, x, ts, meta, seq: this.created++, freed: false };
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    let i = list.length; // after every version of its time: it arrived last
    while (i > 0 && list[i - 1].ts > ts) i--;
    list.splice(i, 0, v);
    this.count++;
    // v supersedes its predecessor from v.ts on; its own successor (an earlier arrival of a later time) supersedes it.
    if (i > 0) this.expiries.push({ at: ts, version: list[i - 1] });
    if (i + 1 < list.length) this.expiries.push({ at: list[i + 1].ts, version: v });
    if (Number.isFinite(this.ttlMs)) this.expiries.push({ at: ts + this.ttlMs, version: v });
  }

  /** The latest version of `key` at or before `t` (within the TTL), or undefined. */
  latest(key: unknown, t: number): Version<X> | undefined {
    const list = this.byKey.get(key);
    if (list === undefined) return undefined;
    let i = list.length - 1;
    while (i >= 0 && list[i].ts > t) i--;
    return i < 0 || t - list[i].ts > this.ttlMs ? undefined : list[i];
  }

  /**
   * Free and return what no lookup at time ≥ `bound` can pick. An expiry strictly below the bound
   * is certain (a successor only ever moves earlier), so one at the bound waits for the next move.
   */
  prune(bound: number): Version<X>[] {
    const out: Version<X>[] = [];
    for (let e = this.expiries.peek(); e !== undefined && e.at < bound; e = this.expiries.peek()) {
      this.expiries.pop();
      if (e.version.freed) continue;
      // What `e.version` supersedes or outlives is older still: it goes too (oldest first).
      const list = this.byKey.get(e.version.key)!;
      const gone = list.splice(0, list.indexOf(e.version) + 1);
      if (list.length === 0) this.byKey.delete(e.version.key);
      for (const v of gone) v.freed = true;
      this.count -= gone.length;
      out.push(...gone);
    }
    return out;
  }

  /** Free and return every version (a restore replaces them). */
  clear(): Version<X>[] {
    const all = this.all();
    for (const v of all) v.freed = true;
    this.byKey.clear();
    this.count = 0;
    while (this.expiries.pop() !== undefined);
    return all;
  }

  /** Every version in arrival order (a snapshot; adding them in this order rebuilds the table). */
  all(): Version<X>[] {
    return [...this.byKey.values()].flat().sort((a, b) => a.seq - b.seq);
  }
}
