import type { Emitted, Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { expectState } from '../state-shape.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Pass on elements by position, like Python's `xs[start:end:step]` over the stream. */
    slice(start?: number, end?: number, step?: number, options?: StreamOptions): Stream<T>;
  }
}

export class SliceNode<T> extends Stream<T> implements Stateful<{ seen: number }> {
  private seen = 0;

  constructor(
    upstream: Stream<T>,
    readonly start = 0,
    readonly end: number | undefined = undefined,
    readonly step = 1,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
    if (start < 0 || (end ?? 0) < 0 || step < 1) throw new RangeError('slice: negative indices and steps below 1 are not supported');
  }

  override get kind(): string {
    return 'slice';
  }

  override params(): Record<string, unknown> {
    return { start: this.start, end: this.end ?? null, step: this.step };
  }

  override update(x: T, meta: Meta): Emitted {
    const i = this.seen++;
    if (i < this.start || (this.end !== undefined && i >= this.end) || (i - this.start) % this.step !== 0) return undefined;
    return this.out(x, meta);
  }

  snapshot(): { seen: number } {
    return { seen: this.seen };
  }

  restore(s: { seen: number }): void {
    expectState(this.kind, s, { seen: 'number' });
    this.seen = s.seen;
  }
}

Stream.prototype.slice = function (this: Stream<any>, start?: number, end?: number, step?: number, options?: StreamOptions) {
  return new SliceNode(this, start, end, step, options);
};
