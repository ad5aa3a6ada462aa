import type { Emitted, Meta } from '../meta.js';
import type { TimerHandle } from '../clock.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { emitTaken, Held, HeldByKey } from './held.js';
import { keyOf, keyOrSelf, type KeySpec } from './keys.js';
import { expectState } from '../state-shape.js';
import { parseDurationOrZero, type Duration } from '../duration.js';

export interface PartitionOptions<T> extends StreamOptions {
  /** Emit a partial group when its first element has waited this many milliseconds. */
  timeout?: Duration;
  /** Group elements by this key (a function or a field); each key fills its own partitions. */
  key?: KeySpec<T>;
}

export interface PartitionUniqueOptions<T> extends StreamOptions {
  key?: KeySpec<T>;
  /** Of duplicates keep the first seen, or the last (which also moves it to the end). */
  keep?: 'first' | 'last';
}

declare module '../stream.js' {
  interface Stream<T> {
    /** Group elements into arrays of `n`. */
    partition(n: number, options?: PartitionOptions<T>): Stream<T[]>;
    /** Group elements into arrays of `n` distinct keys. */
    partitionUnique(n: number, options?: PartitionUniqueOptions<T>): Stream<T[]>;
  }
}

interface Group<T> {
  held: Held<T>;
  timer?: TimerHandle;
  deadline?: number;
}

/** Each group's key, elements, and the time left before its timeout (null without one). */
type PartitionState<T> = { groups: [unknown, T[], number | null][] };

export class PartitionNode<T> extends Stream<T[]> implements Stateful<PartitionState<T>> {
  private groups = new Map<unknown, Group<T>>();
  private readonly timeout: number | undefined;
  private readonly key: KeySpec<T> | undefined;

  constructor(upstream: Stream<T>, readonly n: number, options: PartitionOptions<T> = {}) {
    super(options, [upstream]);
    if (!(n >= 1)) throw new RangeError('partition: n must be at least 1');
    this.timeout = options.timeout === undefined ? undefined : parseDurationOrZero(options.timeout);
    this.key = options.key;
  }

  override get kind(): string {
    return 'partition';
  }

  override params(): Record<string, unknown> {
    return { n: this.n, timeout: this.timeout ?? null, keyed: this.key !== undefined };
  }

  override update(x: T, meta: Meta): Emitted {
    this.throwIfFailed();
    let k: unknown;
    try {
      k = keyOf(this.key, x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    let g = this.groups.get(k);
    if (g === undefined) this.groups.set(k, (g = { held: new Held<T>() }));
    g.held.push(x, meta);
    if (g.held.length >= this.n) return this.flush(k);
    if (this.timeout !== undefined && g.held.length === 1) this.startTimer(k, g);
    return undefined;
  }

  private startTimer(k: unknown, g: Group<T>, ms = this.timeout!): void {
    g.deadline = this.clock.now() + ms;
    g.timer = this.schedule(() => this.background(() => this.flush(k)), ms);
  }

  private flush(k: unknown): Emitted {
    const g = this.groups.get(k);
    if (g === undefined || g.held.length === 0) return undefined;
    this.cancel(g.timer);
    this.groups.delete(k);
    const { items, meta } = g.held.take();
    return emitTaken(this.out, items, meta);
  }

  /** Every partial group, oldest key first. */
  override endOfInput(): Emitted {
    const keys = [...this.groups.keys()];
    const from = (i: number): Emitted => {
      for (; i < keys.length; i++) {
        const r = this.flush(keys[i]);
        if (r) return r.then(() => from(i + 1));
      }
      return undefined;
    };
    return from(0);
  }

  snapshot(): PartitionState<T> {
    const now = this.clock.now();
    return { groups: [...this.groups].map(([k, g]) => [k, [...g.held.items], g.deadline === undefined ? null : Math.max(0, g.deadline - now)]) };
  }

  restore(s: PartitionState<T>): void {
    expectState(this.kind, s, { groups: 'array' });
    for (const g of this.groups.values()) this.cancel(g.timer);
    this.groups.clear();
    for (const [k, items, timeLeft] of s.groups) {
      const g: Group<T> = { held: new Held<T>() };
      g.held.reset(items);
      this.groups.set(k, g);
      if (this.timeout !== undefined && items.length > 0) this.startTimer(k, g, timeLeft ?? this.timeout);
    }
  }
}

export class PartitionUniqueNode<T> extends Stream<T[]> implements Stateful<{ items: [unknown, T][] }> {
  private readonly held: HeldByKey<T>;
  private readonly key: KeySpec<T> | undefined;

  constructor(upstream: Stream<T>, readonly n: number, options: PartitionUniqueOptions<T> = {}) {
    super(options, [upstream]);
    if (!(n >= 1)) throw new RangeError('partitionUnique: n must be at least 1');
    this.key = options.key;
    this.held = new HeldByKey(options.keep ?? 'first');
  }

  override get kind(): string {
    return 'partitionUnique';
  }

  override params(): Record<string, unknown> {
    return { n: this.n, keep: this.held.keep };
  }

  override update(x: T, meta: Meta): Emitted {
    let k: unknown;
    try {
      k = keyOrSelf(this.key, x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    this.held.add(k, x, meta);
    if (this.held.size < this.n) return undefined;
    const { items, meta: merged } = this.held.take();
    return emitTaken(this.out, items, merged);
  }

  override endOfInput(): Emitted {
    if (this.held.size === 0) return undefined;
    const { items, meta } = this.held.take();
    return emitTaken(this.out, items, meta);
  }

  snapshot(): { items: [unknown, T][] } {
    return { items: this.held.snapshot() };
  }

  restore(s: { items: [unknown, T][] }): void {
    expectState(this.kind, s, { items: 'pairs' });
    this.held.restore(s.items);
  }
}

Stream.prototype.partition = function (this: Stream<any>, n: number, options?: PartitionOptions<any>) {
  return new PartitionNode(this, n, options);
};
Stream.prototype.partitionUnique = function (this: Stream<any>, n: number, options?: PartitionUniqueOptions<any>) {
  return new PartitionUniqueNode(this, n, options);
};
