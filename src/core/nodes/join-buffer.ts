/**
 * One side of an interval join: the elements that may still join, by key (to find matches) and
 * by event time (to free them in order when the watermark passes their bound).
 */
import type { Meta } from '../meta.js';
import { MinHeap } from './min-heap.js';

/** A buffered element: its key, event time and metadata (its references stay retained while it is held). */
export interface Held<X> {
  readonly key: unknown;
  readonly x: X;
  readonly ts: number;
  readonly meta: Meta;
  /** Joined at least once (a left join emits the others with null when they expire). */
  matched: boolean;
  /** Arrival order: ties in event time expire in it, and a snapshot keeps it. */
  readonly seq: number;
}

export class JoinBuffer<X> {
  private readonly byKey = new Map<unknown, Held<X>[]>();
  /** By (ts, seq): the next element to expire on top. */
  private readonly heap = new MinHeap<Held<X>>((a, b) => a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq));
  private created = 0;

  get size(): number {
    return this.heap.size;
  }

  /** The earliest event time held (Infinity: none). */
  get earliest(): number {
    return this.heap.peek()?.ts ?? Infinity;
  }

  add(key: unknown, x: X, ts: number, meta: Meta, matched: boolean): Held<X> {
    const held: Held<X> = { key, x, ts, meta, matched, seq: this.created++ };
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [held]);
    else list.push(held);
    this.heap.push(held);
    return held;
  }

  /** The held elements of `key` with event time in [lo, hi], in arrival order. */
  between(key: unknown, lo: number, hi: number): Held<X>[] {
    return (this.byKey.get(key) ?? []).filter((h) => h.ts >= lo && h.ts <= hi);
  }

  /** Remove and return every element with event time below `bound`, earliest first (ties in arrival order). */
  expire(bound: number): Held<X>[] {
    const out: Held<X>[] = [];
    while (this.earliest < bound) {
      const held = this.heap.pop()!;
      const list = this.byKey.get(held.key)!;
      list.splice(list.indexOf(held), 1);
      if (list.length === 0) this.byKey.delete(held.key);
      out.push(held);
    }
    return out;
  }

  /** Remove and return everything, earliest first (end of input). */
  drain(): Held<X>[] {
    return this.expire(Infinity);
  }

  /** Every held element in arrival order (a snapshot). */
  all(): Held<X>[] {
    return [...this.heap.all()].sort((a, b) => a.seq - b.seq);
  }
}
