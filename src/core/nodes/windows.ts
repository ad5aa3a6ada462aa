import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { TimerHandle } from '../clock.js';
import type { Stateful } from '../stateful.js';
import { afterEmit, Stream, type StreamOptions } from '../stream.js';
import { emitTaken, Held, HeldByKey } from './held.js';
import { keyOrSelf, type KeySpec } from './keys.js';
import { expectState } from '../state-shape.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** The last `n` elements as an array after every element (only full windows when `returnPartial` is false). */
    slidingWindow(n: number, options?: StreamOptions & { returnPartial?: boolean }): Stream<T[]>;
    /** Every `ms` milliseconds, the elements that arrived since the last window (possibly none). */
    timedWindow(ms: number, options?: StreamOptions): Stream<T[]>;
    /** Like `timedWindow`, keeping one element per key (the first or the last seen). */
    timedWindowUnique(ms: number, options?: StreamOptions & { key?: KeySpec<T>; keep?: 'first' | 'last' }): Stream<T[]>;
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
    const evicted = this.count === n ? this.metas[p] : undefined;
    this.ring[p] = x;
    this.ring[p + n] = x;
    this.head = p + 1 === n ? 0 : p + 1;
    if (this.count < n) this.count++;
    if (meta !== undefined || this.tracked > 0) this.track(p, meta);
    if (!this.returnPartial && this.count < n) return undefined;
    const start = p + 1 - this.count < 0 ? p + 1 - this.count + n : p + 1 - this.count;
    const window = this.ring.slice(start, start + this.count);
    if (this.tracked === 0 && evicted === undefined) return this.out(window, undefined);
    const r = this.out(window, this.windowMeta());
    if (evicted === undefined) return r;
    return afterEmit(r, () => releaseRefs(evicted));
  }

  private track(p: number, meta: Meta): void {
    if (this.metas[p] !== undefined) this.tracked--; // its release happens after this emission
    this.metas[p] = meta;
    if (meta !== undefined) {
      retainRefs(meta);
      this.tracked++;
    }
  }

  private windowMeta(): Meta {
    return this.tracked === 0 ? undefined : mergeMeta(this.metas);
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

  constructor(upstream: Stream<T>, readonly ms: number, options: StreamOptions = {}) {
    super(options, [upstream]);
    if (!(ms > 0)) throw new RangeError(`${this.kind}: interval must be positive`);
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
    return r;
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

  private tick(): Emitted {
    this.timer = undefined;
    this.nextTickAt = undefined;
    const { items, meta } = this.takeAll();
    // Re-arm only while connected: a window destroyed during an asynchronous emission would tick forever.
    return afterEmit(emitTaken(this.out, items, meta), () => void (this.upstreams.length > 0 && this.startTicking()));
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

  constructor(upstream: Stream<T>, ms: number, options: StreamOptions & { key?: KeySpec<T>; keep?: 'first' | 'last' } = {}) {
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
Stream.prototype.timedWindow = function (this: Stream<any>, ms: number, options?: StreamOptions) {
  return new TimedWindowNode(this, ms, options);
};
Stream.prototype.timedWindowUnique = function (this: Stream<any>, ms: number, options?: StreamOptions & { key?: KeySpec<any>; keep?: 'first' | 'last' }) {
  return new TimedWindowUniqueNode(this, ms, options);
};
