/**
 * Tumbling, hopping and session windows of elements, on event time or processing time.
 *
 * ```ts
 * const w = source.tumblingWindow('10s', { on: 'ts', outOfOrder: '2s', lateness: '5s' });
 * w.sink(({ start, end, items }) => console.log(start, end, items.length));
 * w.late.sink(({ element, reason }) => console.warn(reason, element));
 * ```
 */
import { mergeMeta, releaseRefs, retainRefs, joinEmitted, type Emitted, type Meta } from '../meta.js';
import type { Duration } from '../duration.js';
import type { Stateful } from '../stateful.js';
import { Stream } from '../stream.js';
import { sourcePartition } from '../watermark.js';
import type { TimeWindowSpec, WindowEntry } from '../window-book.js';
import { keyOf, type KeySpec } from './keys.js';
import { TimeWindowBase, timeWindowSettings, type TimeWindowClockState, type TimeWindowOptions } from './time-window-base.js';

/** Where an element's event time is: a field or a function giving ms since the epoch (or a Date). */
export type EventTimeSpec<T> = ((x: T) => number | Date) | keyof T;

export interface ElementWindowOptions<T> extends TimeWindowOptions {
  /** Event time of an element; omitted, windows run on processing time (the node's clock). */
  on?: EventTimeSpec<T>;
  /** Separate windows per key (sessions are usually per key). */
  key?: KeySpec<T>;
  /** The source partition of an element, for the watermark; default: the Kafka topic/partition in its metadata. */
  partition?: (x: T, meta: Meta) => string;
}

/** One emitted window: its key (null without `key`), [start, end) in ms, its elements in arrival order. */
export interface WindowResult<T> {
  key: unknown;
  start: number;
  end: number;
  items: T[];
  /** 1 for a window's first emission; more for late updates (final) or each update (current). */
  revision: number;
}

declare module '../stream.js' {
  interface Stream<T> {
    /** Windows of `size` that do not overlap: [0, size), [size, 2 size), ... */
    tumblingWindow(size: Duration, options?: ElementWindowOptions<T>): TimeWindowNode<T>;
    /** Windows of `size` starting every `slide`: an element is in size / slide of them. */
    hoppingWindow(size: Duration, slide: Duration, options?: ElementWindowOptions<T>): TimeWindowNode<T>;
    /** A window per burst of activity: it ends once no element came for `gap`. */
    sessionWindow(gap: Duration, options?: ElementWindowOptions<T>): TimeWindowNode<T>;
  }
}

interface Bucket<T> {
  items: T[];
  metas: Meta[];
}

export interface TimeWindowState<T> extends TimeWindowClockState {
  windows: { key: unknown; start: number; end: number; items: T[]; revision: number; fired: boolean }[];
}

function bucketContent<T>() {
  return {
    create: (): Bucket<T> => ({ items: [], metas: [] }),
    merge(into: Bucket<T>, from: Bucket<T>) {
      into.items.push(...from.items);
      into.metas.push(...from.metas);
    },
    free(b: Bucket<T>) {
      for (const m of b.metas) releaseRefs(m);
    },
  };
}

export class TimeWindowNode<T> extends TimeWindowBase<T, Bucket<T>, WindowResult<T>> implements Stateful<TimeWindowState<T>> {
  private readonly timeOf: ((x: T) => number | Date) | undefined;
  private readonly key: KeySpec<T> | undefined;
  private readonly partitionOf: (x: T, meta: Meta) => string;

  constructor(upstream: Stream<T>, spec: TimeWindowSpec, options: ElementWindowOptions<T> = {}) {
    super(upstream, timeWindowSettings(spec, options.on !== undefined, options), options, bucketContent<T>());
    const on = options.on;
    this.timeOf = on === undefined ? undefined : typeof on === 'function' ? on : (x) => x[on] as number | Date;
    this.key = options.key;
    this.partitionOf = options.partition ?? ((_x, meta) => sourcePartition(meta));
  }

  override get kind(): string {
    return `${this.book.shape.kind}Window`;
  }

  override params(): Record<string, unknown> {
    return { ...super.params(), keyed: this.key !== undefined };
  }

  override update(x: T, meta: Meta): Emitted {
    this.throwIfFailed();
    let ts: number;
    let key: unknown;
    let partition: string;
    try {
      ts = this.timeOf === undefined ? this.clock.now() : eventTimeOf(this.timeOf(x));
      key = keyOf(this.key, x);
      partition = this.partitionOf(x, meta);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const wm = this.watermark;
    const windows = this.book.place(key, ts, this.liveAt(wm));
    for (const w of windows) {
      w.content.items.push(x);
      w.content.metas.push(meta);
      retainRefs(meta);
      w.fired = false;
    }
    this.observe(partition, ts);
    const late = windows.length === 0 ? this.sendLate(x, key, ts, wm, meta) : undefined;
    return joinEmitted([late, this.settle(windows, meta)]);
  }

  protected emitWindows(windows: WindowEntry<Bucket<T>>[], _meta: Meta): Emitted {
    const results: Emitted[] = [];
    for (const w of windows) {
      const result = { key: w.key, start: w.start, end: w.end, items: [...w.content.items], revision: w.revision };
      results.push(this.emit(result, mergeMeta(w.content.metas)));
    }
    return joinEmitted(results);
  }

  snapshot(): TimeWindowState<T> {
    const windows = this.book.all().map((w) => ({ key: w.key, start: w.start, end: w.end, items: [...w.content.items], revision: w.revision, fired: w.fired }));
    return { ...this.clockState(), windows };
  }

  restore(s: TimeWindowState<T>): void {
    this.book.clear();
    for (const w of s.windows) this.book.restore(w.key, w.start, w.end, { items: [...w.items], metas: w.items.map(() => undefined) }, w.revision, w.fired);
    this.restoreClock(s);
  }
}

/** An event time as ms: a finite number, or a valid Date. */
export function eventTimeOf(v: number | Date): number {
  const ms = v instanceof Date ? v.getTime() : v;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError(`event time must be a finite number of ms or a Date, got ${String(v)}`);
  return ms;
}

Stream.prototype.tumblingWindow = function (this: Stream<any>, size: Duration, options?: ElementWindowOptions<any>) {
  return new TimeWindowNode(this, { tumbling: size }, options);
};
Stream.prototype.hoppingWindow = function (this: Stream<any>, size: Duration, slide: Duration, options?: ElementWindowOptions<any>) {
  return new TimeWindowNode(this, { hopping: size, slide }, options);
};
Stream.prototype.sessionWindow = function (this: Stream<any>, gap: Duration, options?: ElementWindowOptions<any>) {
  return new TimeWindowNode(this, { session: gap }, options);
};
