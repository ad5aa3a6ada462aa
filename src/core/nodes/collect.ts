import type { Emitted, Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { emitTaken, Held } from './held.js';
import { expectState } from '../state-shape.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Hold every element until `flush()` emits them all as one array. */
    collect(options?: StreamOptions): CollectNode<T>;
  }
}

export class CollectNode<T> extends Stream<T[]> implements Stateful<{ items: T[] }> {
  private held = new Held<T>();

  constructor(upstream: Stream<T>, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'collect';
  }

  override update(x: T, meta: Meta): Emitted {
    this.held.push(x, meta);
    return undefined;
  }

  /** Emit everything collected so far (ignores its argument, so it can be used as a sink callback). */
  flush(_trigger?: unknown): Emitted {
    const { items, meta } = this.held.take();
    return emitTaken(this.out, items, meta);
  }

  snapshot(): { items: T[] } {
    return { items: [...this.held.items] };
  }

  restore(s: { items: T[] }): void {
    expectState(this.kind, s, { items: 'array' });
    this.held.reset(s.items);
  }
}

Stream.prototype.collect = function (this: Stream<any>, options?: StreamOptions) {
  return new CollectNode(this, options);
};
