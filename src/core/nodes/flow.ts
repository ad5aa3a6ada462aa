import { releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { TimerHandle } from '../clock.js';
import { sleep } from '../clock.js';
import type { NodeError } from '../errors.js';
import type { Stateful } from '../stateful.js';
import { Signal } from '../signal.js';
import { Stream, type StreamOptions } from '../stream.js';
import { expectState } from '../state-shape.js';
import { parseDurationOrZero, type Duration } from '../duration.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Emit every element `ms` milliseconds after it arrived, in order. */
    delay(ms: Duration, options?: StreamOptions): Stream<T>;
    /** At most one element every `ms` milliseconds; the emitter waits (backpressure). */
    rateLimit(ms: Duration, options?: StreamOptions): Stream<T>;
    /** Decouple: hold up to `n` elements and pass them on asynchronously; the emitter waits when full. */
    buffer(n: number, options?: StreamOptions): Stream<T>;
    /** Pass on the newest element whenever the downstream is ready, dropping the ones it was too slow for. */
    latest(options?: StreamOptions): Stream<T>;
  }
}

interface Queued<T> {
  x: T;
  meta: Meta;
}

/**
 * A queue drained by a background loop, one element at a time, each push awaited. Elements leave
 * the queue when pushed, so a snapshot holds exactly those not yet handed downstream.
 */
abstract class QueueNode<T> extends Stream<T> {
  protected queue: Queued<T>[] = [];
  protected draining = false;
  protected readonly drained = new Signal();

  override get busy(): boolean {
    return super.busy || this.draining || this.queue.length > 0;
  }

  override idle(): Promise<void> {
    return this.busy && !super.busy ? this.drained.wait() : super.idle();
  }

  protected override onFailure(error: NodeError): void {
    this.drained.fail(error);
  }

  protected enqueue(x: T, meta: Meta): void {
    this.throwIfFailed();
    retainRefs(meta);
    this.queue.push({ x, meta });
  }

  /** Is the head of the queue ready to go now? Otherwise the loop pauses until `resume()`. */
  protected ready(_head: Queued<T>): boolean {
    return true;
  }

  protected resume(): void {
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => this.background(() => this.drain()));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.ready(this.queue[0])) {
      const { x, meta } = this.queue.shift()!;
      this.dequeued();
      await this.out(x, meta);
      releaseRefs(meta);
    }
    this.draining = false;
    this.paused();
    if (!this.busy) this.drained.notify();
  }

  protected dequeued(): void {}
  protected paused(): void {}

  snapshot(): { items: T[] } {
    return { items: this.queue.map((q) => q.x) };
  }
}

export class DelayNode<T> extends QueueNode<T> implements Stateful<{ items: T[]; waits: number[] }> {
  private due: number[] = [];
  private timer: TimerHandle | undefined;
  readonly ms: number;

  constructor(upstream: Stream<T>, ms: Duration, options?: StreamOptions) {
    super(options, [upstream]);
    this.ms = parseDurationOrZero(ms);
  }

  override get kind(): string {
    return 'delay';
  }

  override params(): Record<string, unknown> {
    return { ms: this.ms };
  }

  override update(x: T, meta: Meta): Emitted {
    this.enqueue(x, meta);
    this.due.push(this.clock.now() + this.ms);
    if (this.queue.length === 1 && !this.draining) this.wake();
    return undefined;
  }

  protected override ready(): boolean {
    return this.due[0] <= this.clock.now();
  }

  protected override dequeued(): void {
    this.due.shift();
  }

  protected override paused(): void {
    if (this.queue.length > 0) this.wake();
  }

  private wake(): void {
    this.cancel(this.timer);
    this.timer = this.schedule(() => this.resume(), this.due[0] - this.clock.now());
  }

  override snapshot(): { items: T[]; waits: number[] } {
    const now = this.clock.now();
    return { items: this.queue.map((q) => q.x), waits: this.due.map((d) => Math.max(0, d - now)) };
  }

  restore(s: { items: T[]; waits: number[] }): void {
    expectState(this.kind, s, { items: 'array', waits: 'array' });
    const now = this.clock.now();
    this.queue = s.items.map((x) => ({ x, meta: undefined }));
    this.due = s.waits.map((w) => now + w);
    if (this.queue.length > 0) this.wake();
  }
}

export class RateLimitNode<T> extends Stream<T> {
  private next = -Infinity;
  readonly ms: number;

  constructor(upstream: Stream<T>, ms: Duration, options?: StreamOptions) {
    super(options, [upstream]);
    this.ms = parseDurationOrZero(ms);
  }

  override get kind(): string {
    return 'rateLimit';
  }

  override params(): Record<string, unknown> {
    return { ms: this.ms };
  }

  override update(x: T, meta: Meta): Emitted {
    const now = this.clock.now();
    const wait = this.next - now;
    this.next = Math.max(now, this.next) + this.ms;
    if (wait <= 0) return this.out(x, meta);
    return sleep(this.clock, wait).then(() => this.out(x, meta));
  }
}

export class BufferNode<T> extends QueueNode<T> implements Stateful<{ items: T[] }> {
  private readonly room = new Signal();

  constructor(upstream: Stream<T>, readonly n: number, options?: StreamOptions) {
    super(options, [upstream]);
    if (!(n >= 1)) throw new RangeError('buffer: n must be at least 1');
  }

  override get kind(): string {
    return 'buffer';
  }

  override params(): Record<string, unknown> {
    return { n: this.n };
  }

  override update(x: T, meta: Meta): Emitted {
    this.enqueue(x, meta);
    this.resume();
    return this.queue.length > this.n ? this.room.wait() : undefined; // as streamz: n queued plus the one on its way
  }

  protected override dequeued(): void {
    this.room.notify();
  }

  protected override onFailure(error: NodeError): void {
    super.onFailure(error);
    this.room.fail(error);
  }

  restore(s: { items: T[] }): void {
    expectState(this.kind, s, { items: 'array' });
    this.queue = s.items.map((x) => ({ x, meta: undefined }));
    if (this.queue.length > 0) this.resume();
  }
}

export class LatestNode<T> extends QueueNode<T> implements Stateful<{ items: T[] }> {
  constructor(upstream: Stream<T>, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'latest';
  }

  override update(x: T, meta: Meta): Emitted {
    for (const dropped of this.queue.splice(0)) releaseRefs(dropped.meta);
    this.enqueue(x, meta);
    this.resume();
    return undefined;
  }

  restore(s: { items: T[] }): void {
    expectState(this.kind, s, { items: 'array' });
    this.queue = s.items.slice(-1).map((x) => ({ x, meta: undefined }));
    if (this.queue.length > 0) this.resume();
  }
}

Stream.prototype.delay = function (this: Stream<any>, ms: Duration, options?: StreamOptions) {
  return new DelayNode(this, ms, options);
};
Stream.prototype.rateLimit = function (this: Stream<any>, ms: Duration, options?: StreamOptions) {
  return new RateLimitNode(this, ms, options);
};
Stream.prototype.buffer = function (this: Stream<any>, n: number, options?: StreamOptions) {
  return new BufferNode(this, n, options);
};
Stream.prototype.latest = function (this: Stream<any>, options?: StreamOptions) {
  return new LatestNode(this, options);
};
