import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { TimerHandle } from '../clock.js';
import type { Stateful } from '../stateful.js';
import { afterEmit, Stream, type StreamOptions } from '../stream.js';
import { emitTaken, Held, HeldByKey } from './held.js';
import { keyOrSelf, type KeySpec } from './keys.js';
import { expectState } from '../state-shape.js';
import { parseDuration, type Duration } from '../duration.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** The last `n` elements as an array after every element (only full windows when `returnPartial` is false). */
    slidingWindow(n: number, options?: StreamOptions & { returnPartial?: boolean }): Stream<T[]>;
    /** Every `ms` milliseconds, the elements that arrived since the last window (possibly none). */
    timedWindow(interval: Duration, options?: StreamOptions): Stream<T[]>;
    /** Like `timedWindow`, keeping one element per key (the first or the last seen). */
    timedWindowUnique(interval: Duration, options?: StreamOptions & { key?: KeySpec<T>; keep?: 'first' | 'last' }): Stream<T[]>;
  }
}

/**
 * Elements are written twice, at i and i + n, so the window is always one contiguous `slice`
 * of the doubled ring: one copy per emission, no rotation.
 */
export class SlidingWindowNode<T> extends Stream<T[]> implements Stateful<{ items: T[] }> {
  private readonly ring: T[];
  private readonly metas: Meta[];
  private tracked = 0;
  private head = 0;
  private count = 0;
  readonly returnPartial: boolean;

  constructor(upstream: Stream<T>, readonly n: number, options: StreamOptions & { returnPartial?: boolean } = {}) {
    super(options, [upstream]);
    if (!(n >= 1)) throw new RangeError('slidingWindow: n must be at least 1');
    this.returnPartial = options.returnPartial ?? true;
    this.ring = new Array<T>(2 * n);
    this.metas = new Array<Meta>(n);
  }

  override get kind(): string {
    return 'slidingWindow';
  }

  override params(): Record<string, unknown> {
    return { n: this.n, returnPartial: this.returnPartial };
  }

  override update(x: T, meta: Meta): Emitted {
    const n = this.n;
    const p = this.head;
    // Slot p's previous element, if any, was released when its last window was emitted.
    this.ring[p] = x;
    this.ring[p + n] = x;
    this.head = p + 1 === n ? 0 : p + 1;
    if (this.count < n) this.count++;
    if (meta !== undefined) {
      retainRefs(meta);
      this.metas[p] = meta;
      this.tracked++;
    }
    if (!this.returnPartial && this.count < n) return undefined;
    const start = p + 1 - this.count < 0 ? p + 1 - this.count + n : p + 1 - this.count;
    const window = this.ring.slice(start, start + this.count);
    if (this.tracked === 0) return this.out(window, undefined);
    const windowMeta = this.windowMeta(start);
    // A full window's oldest element is in no later window: release it once this one is delivered.
    const oldest = this.count === n ? this.takeMeta(start) : undefined;
    const r = this.out(window, windowMeta);
    return oldest === undefined ? r : afterEmit(r, () => releaseRefs(oldest));
  }

  /** The window's metadata in the window's order, oldest first. */
  private windowMeta(start: number): Meta {
    const ordered: Meta[] = [];
    for (let i = 0; i < this.count; i++) ordered.push(this.metas[(start + i) % this.n]);
    return mergeMeta(ordered);
  }

  private takeMeta(slot: number): Meta {
    const m = this.metas[slot];
    if (m !== undefined) {
      this.metas[slot] = undefined;
      this.tracked--;
    }
    return m;
  }

  snapshot(): { items: T[] } {
    const start = (this.head - this.count + this.n) % this.n;
    return { items: this.ring.slice(start, start + this.count) };
  }

  restore(s: { items: T[] }): void {
    expectState(this.kind, s, { items: 'array' });
    const items = s.items.slice(-this.n);
    for (const m of this.metas) releaseRefs(m);
    this.metas.fill(undefined);
    this.tracked = 0;
    this.count = 0;
    this.head = 0;
    for (const x of items) {
      this.ring[this.head] = x;
      this.ring[this.head + this.n] = x;
      this.head = (this.head + 1) % this.n;
      this.count++;
    }
  }
}

/** Shared loop of the timed windows: every `ms`, emit what was gathered, then wait for the next tick. */
abstract class TimedWindowBase<T> extends Stream<T[]> {
  private timer: TimerHandle | undefined;
  private nextTickAt: number | undefined;
  /** The last window's emission while it is still under way: emitters wait for it (backpressure, as streamz). */
  private delivering: Promise<void> | undefined;

  readonly ms: number;

  constructor(upstream: Stream<T>, interval: Duration, options: StreamOptions = {}) {
    super(options, [upstream]);
    this.ms = parseDuration(interval);
  }

  override params(): Record<string, unknown> {
    return { ms: this.ms };
  }

  protected abstract gather(x: T, meta: Meta): Emitted;
  protected abstract takeAll(): { items: T[]; meta: Meta };

  override update(x: T, meta: Meta): Emitted {
    this.throwIfFailed();
    const r = this.gather(x, meta);
    this.startTicking();
    return r ?? this.delivering;
  }

  /** Windows start with the first element and then tick every interval, emitting empty ones too (as streamz). */
  protected startTicking(delay = this.ms): void {
    if (this.timer !== undefined) return;
    this.nextTickAt = this.clock.now() + delay;
    this.timer = this.schedule(() => this.background(() => this.tick()), delay);
  }

  /** Time left until the next window closes (null when not ticking): part of the state, so a restore keeps the phase. */
  protected get nextTickIn(): number | null {
    return this.nextTickAt === undefined ? null : Math.max(0, this.nextTickAt - this.clock.now());
  }

  protected resumeTicking(nextTickIn: number | null): void {
    if (nextTickIn !== null) this.startTicking(nextTickIn);
  }

  /** The open window, now; no more ticks. */
  override endOfInput(): Emitted {
    this.cancel(this.timer);
    this.timer = undefined;
    this.nextTickAt = undefined;
    const { items, meta } = this.takeAll();
    return items.length === 0 ? undefined : emitTaken(this.out, items, meta);
  }

  private tick(): Emitted {
    this.timer = undefined;
    this.nextTickAt = undefined;
    const { items, meta } = this.takeAll();
    const r = emitTaken(this.out, items, meta);
    if (r) {
      // A failure surfaces through background(); emitters waiting here just go on.
      const delivering: Promise<void> = r.then(undefined, () => {}).then(() => void (this.delivering === delivering && (this.delivering = undefined)));
      this.delivering = delivering;
    }
    // Re-arm only while connected: a window destroyed during an asynchronous emission would tick forever.
    return afterEmit(r, () => void (this.upstreams.length > 0 && this.startTicking()));
  }
}

export class TimedWindowNode<T> extends TimedWindowBase<T> implements Stateful<{ items: T[]; nextTickIn: number | null }> {
  private held = new Held<T>();

  override get kind(): string {
    return 'timedWindow';
  }

  protected gather(x: T, meta: Meta): Emitted {
    this.held.push(x, meta);
    return undefined;
  }

  protected takeAll(): { items: T[]; meta: Meta } {
    return this.held.take();
  }

  snapshot(): { items: T[]; nextTickIn: number | null } {
    return { items: [...this.held.items], nextTickIn: this.nextTickIn };
  }

  restore(s: { items: T[]; nextTickIn: number | null }): void {
    expectState(this.kind, s, { items: 'array', nextTickIn: 'number|null' });
    this.held.reset(s.items);
    this.resumeTicking(s.nextTickIn);
  }
}

export class TimedWindowUniqueNode<T> extends TimedWindowBase<T> implements Stateful<{ items: [unknown, T][]; nextTickIn: number | null }> {
  private readonly held: HeldByKey<T>;
  private readonly key: KeySpec<T> | undefined;

  constructor(upstream: Stream<T>, ms: Duration, options: StreamOptions & { key?: KeySpec<T>; keep?: 'first' | 'last' } = {}) {
    super(upstream, ms, options);
    this.key = options.key;
    this.held = new HeldByKey(options.keep ?? 'first');
  }

  override get kind(): string {
    return 'timedWindowUnique';
  }

  override params(): Record<string, unknown> {
    return { ms: this.ms, keep: this.held.keep };
  }

  protected gather(x: T, meta: Meta): Emitted {
    let k: unknown;
    try {
      k = keyOrSelf(this.key, x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    this.held.add(k, x, meta);
    return undefined;
  }

  protected takeAll(): { items: T[]; meta: Meta } {
    return this.held.take();
  }

  snapshot(): { items: [unknown, T][]; nextTickIn: number | null } {
    return { items: this.held.snapshot(), nextTickIn: this.nextTickIn };
  }

  restore(s: { items: [unknown, T][]; nextTickIn: number | null }): void {
    expectState(this.kind, s, { items: 'pairs', nextTickIn: 'number|null' });
    this.held.restore(s.items);
    this.resumeTicking(s.nextTickIn);
  }
}

Stream.prototype.slidingWindow = function (this: Stream<any>, n: number, options?: StreamOptions & { returnPartial?: boolean }) {
  return new SlidingWindowNode(this, n, options);
};
Stream.prototype.timedWindow = function (this: Stream<any>, ms: Duration, options?: StreamOptions) {
  return new TimedWindowNode(this, ms, options);
};
Stream.prototype.timedWindowUnique = function (this: Stream<any>, ms: Duration, options?: StreamOptions & { key?: KeySpec<any>; keep?: 'first' | 'last' }) {
  return new TimedWindowUniqueNode(this, ms, options);
};
