import type { Emitted, Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { valueKey } from './keys.js';
import { expectState } from '../state-shape.js';

export interface UniqueOptions<T> extends StreamOptions {
  /** Remember at most this many keys, least recently seen forgotten first (an LRU); 0 or unset: all. */
  maxsize?: number;
  key?: (x: T) => unknown;
}

declare module '../stream.js' {
  interface Stream<T> {
    /** Pass on only elements whose key has not been seen (within the last `maxsize` keys). */
    unique(options?: UniqueOptions<T>): Stream<T>;
  }
}

const identity = (x: unknown) => x;

export class UniqueNode<T> extends Stream<T> implements Stateful<{ seen: unknown[] }> {
  private seen = new Map<unknown, true>();
  private readonly key: (x: T) => unknown;
  private readonly maxsize: number | undefined;

  constructor(upstream: Stream<T>, options: UniqueOptions<T> = {}) {
    super(options, [upstream]);
    this.key = options.key ?? identity;
    this.maxsize = options.maxsize || undefined; // streamz: a falsy maxsize means unbounded
  }

  override get kind(): string {
    return 'unique';
  }

  override params(): Record<string, unknown> {
    return { maxsize: this.maxsize ?? null };
  }

  override update(x: T, meta: Meta): Emitted {
    let k: unknown;
    try {
      k = valueKey(this.key(x));
    } catch (e) {
      return this.fail(e, x, meta);
    }
    if (this.seen.has(k)) {
      if (this.maxsize !== undefined) {
        this.seen.delete(k); // refresh: most recently seen goes to the end
        this.seen.set(k, true);
      }
      return undefined;
    }
    this.seen.set(k, true);
    if (this.maxsize !== undefined && this.seen.size > this.maxsize) this.seen.delete(this.seen.keys().next().value);
    return this.out(x, meta);
  }

  snapshot(): { seen: unknown[] } {
    return { seen: [...this.seen.keys()] };
  }

  restore(s: { seen: unknown[] }): void {
    expectState(this.kind, s, { seen: 'array' });
    this.seen = new Map(s.seen.map((k) => [k, true]));
  }
}

Stream.prototype.unique = function (this: Stream<any>, options?: UniqueOptions<any>) {
  return new UniqueNode(this, options);
};
