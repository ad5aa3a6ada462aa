/**
 * Count windows: tumbling (every `size` elements) and hopping (the last `size` elements, every
 * `slide` elements), per key when given. A window is numbered by element positions: [start, end).
 *
 * ```ts
 * source.hoppingCountWindow(5, 2).sink(({ start, end, items }) => ...); // [0,5), [2,7), [4,9), ...
 * ```
 */
import { mergeMeta, releaseRefs, retainRefs, joinEmitted, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type StreamOptions } from '../stream.js';
import { keyOf, type KeySpec } from './keys.js';
import type { WindowResult } from './time-windows.js';

export interface CountWindowOptions<T> extends StreamOptions {
  /** Separate windows per key. */
  key?: KeySpec<T>;
}

declare module '../stream.js' {
  interface Stream<T> {
    /** Every `size` elements (of a key), those elements. */
    tumblingCountWindow(size: number, options?: CountWindowOptions<T>): CountWindowNode<T>;
    /** Every `slide` elements (of a key), the last `size` elements. */
    hoppingCountWindow(size: number, slide: number, options?: CountWindowOptions<T>): CountWindowNode<T>;
  }
}

/** A key's elements not yet out of every window, and how many it had in all. */
interface KeyRun<T> {
  seen: number;
  items: T[];
  metas: Meta[];
}

export interface CountWindowState<T> {
  keys: { key: unknown; seen: number; items: T[] }[];
}

export class CountWindowNode<T> extends Stream<WindowResult<T>> implements Stateful<CountWindowState<T>> {
  private runs = new Map<unknown, KeyRun<T>>();
  private readonly key: KeySpec<T> | undefined;
  readonly size: number;
  readonly slide: number;

  constructor(upstream: Stream<T>, size: number, slide: number, options: CountWindowOptions<T> = {}) {
    // Checked before connecting: a refused node must not stay attached to its upstream.
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`count window: size must be a positive integer, got ${size}`);
    if (!(Number.isInteger(slide) && slide >= 1 && slide <= size)) throw new RangeError(`count window: slide must be an integer in 1..size, got ${slide}`);
    super(options, [upstream]);
    this.size = size;
    this.slide = slide;
    this.key = options.key;
  }

  override get kind(): string {
    return this.slide === this.size ? 'tumblingCountWindow' : 'hoppingCountWindow';
  }

  override params(): Record<string, unknown> {
    return { size: this.size, slide: this.slide, keyed: this.key !== undefined };
  }

  override update(x: T, meta: Meta): Emitted {
    let k: unknown;
    try {
      k = keyOf(this.key, x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    let run = this.runs.get(k);
    if (run === undefined) this.runs.set(k, (run = { seen: 0, items: [], metas: [] }));
    run.items.push(x);
    run.metas.push(meta);
    retainRefs(meta);
    run.seen++;
    // A window closes when its last element arrives: windows start at multiples of slide.
    if (run.seen < this.size || (run.seen - this.size) % this.slide !== 0) return undefined;
    const r = this.emitWindow(k, run, run.seen - this.size, run.items.length);
    this.forget(run, this.slide === this.size ? run.items.length : this.slide);
    return r;
  }

  private emitWindow(key: unknown, run: KeyRun<T>, start: number, count: number): Emitted {
    const first = run.items.length - (run.seen - start);
    const items = run.items.slice(first, first + count);
    return this.emit({ key, start, end: start + count, items, revision: 1 }, mergeMeta(run.metas.slice(first, first + count)));
  }

  /** Drop the oldest `n` elements: no window still to come holds them. */
  private forget(run: KeyRun<T>, n: number): void {
    for (const m of run.metas.splice(0, n)) releaseRefs(m);
    run.items.splice(0, n);
  }

  /** A finite source upstream is exhausted: flush, so the last windows of the input are emitted before the job's end. */
  override endOfInput(): Emitted {
    return this.flush();
  }

  /** End of input: emit the windows that started but are not full, per key. */
  flush(): Emitted {
    const results: Emitted[] = [];
    for (const [k, run] of this.runs) {
      const oldest = run.seen - run.items.length;
      const firstStart = Math.ceil(Math.max(oldest, run.seen - this.size + 1) / this.slide) * this.slide;
      for (let start = firstStart; start < run.seen; start += this.slide) results.push(this.emitWindow(k, run, start, run.seen - start));
      this.forget(run, run.items.length);
    }
    this.runs.clear();
    return joinEmitted(results);
  }

  snapshot(): CountWindowState<T> {
    return { keys: [...this.runs].map(([key, r]) => ({ key, seen: r.seen, items: [...r.items] })) };
  }

  restore(s: CountWindowState<T>): void {
    for (const run of this.runs.values()) this.forget(run, run.items.length);
    this.runs = new Map(s.keys.map((r) => [r.key, { seen: r.seen, items: [...r.items], metas: r.items.map(() => undefined) }]));
  }
}

Stream.prototype.tumblingCountWindow = function (this: Stream<any>, size: number, options?: CountWindowOptions<any>) {
  return new CountWindowNode(this, size, size, options);
};
Stream.prototype.hoppingCountWindow = function (this: Stream<any>, size: number, slide: number, options?: CountWindowOptions<any>) {
  return new CountWindowNode(this, size, slide, options);
};
