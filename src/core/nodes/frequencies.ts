import { preview } from '../errors.js';
import type { Emitted, Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { valueKey } from './keys.js';

declare module '../stream.js' {
  interface Stream<T> {
    /**
     * How often each distinct element was seen so far, after every element (streamz's
     * `frequencies`): `a, b, a` gives `Map { a: 1 }`, `Map { a: 1, b: 1 }`, `Map { a: 2, b: 1 }`.
     * Arrays and plain objects count by value, as keys do elsewhere.
     */
    frequencies(options?: StreamOptions): Stream<Map<T, number>>;
  }
}

export class FrequenciesNode<T> extends Stream<Map<T, number>> implements Stateful<{ counts: [T, number][] }> {
  /** By value key: the first element seen with that key, and its count. */
  private counts = new Map<unknown, [T, number]>();

  constructor(upstream: Stream<T>, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'frequencies';
  }

  override update(x: T, meta: Meta): Emitted {
    const k = valueKey(x);
    const seen = this.counts.get(k);
    if (seen === undefined) this.counts.set(k, [x, 1]);
    else seen[1]++;
    // A fresh map each time: emitted results stay as they were when emitted
    return this.out(new Map([...this.counts.values()].map(([e, n]) => [e, n])), meta);
  }

  snapshot(): { counts: [T, number][] } {
    return { counts: [...this.counts.values()].map(([e, n]) => [e, n]) };
  }

  restore(s: { counts: [T, number][] }): void {
    if (!Array.isArray(s?.counts) || !s.counts.every((e) => Array.isArray(e) && typeof e[1] === 'number')) {
      throw new Error(`restore ${this.id}: expected { counts: [element, count][] }, got ${preview(s)}`);
    }
    this.counts = new Map(s.counts.map(([e, n]) => [valueKey(e), [e, n]]));
  }
}

Stream.prototype.frequencies = function (this: Stream<any>, options?: StreamOptions) {
  return new FrequenciesNode(this, options);
};
