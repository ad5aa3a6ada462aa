import type { Seekable } from '../core/stateful.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import { Source } from './source.js';

declare module '../core/stream.js' {
  namespace Stream {
    /** Emit the items of an iterable once started; its position is the index of the next item. */
    var fromIterable: <T>(items: Iterable<T>, options?: StreamOptions) => IterableSource<T>;
    /** Emit the items of an async iterable once started. */
    var fromAsyncIterable: <T>(items: AsyncIterable<T>, options?: StreamOptions) => AsyncIterableSource<T>;
  }
}

export class IterableSource<T> extends Source<T> implements Seekable<number> {
  private index = 0;
  private readonly advance = () => void this.index++;

  constructor(readonly items: Iterable<T>, options?: StreamOptions) {
    super(options);
  }

  override get kind(): string {
    return 'fromIterable';
  }

  position(): number {
    return this.index;
  }

  seek(index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`fromIterable: cannot seek to ${index}`);
    this.index = index;
  }

  protected async run(): Promise<void> {
    const items = this.items;
    if (Array.isArray(items)) {
      while (this.index < items.length && !this.stopped) {
        await this.push(items[this.index] as T, this.advance);
      }
      return;
    }
    let i = 0;
    for (const x of items) {
      if (this.stopped) return;
      if (i++ < this.index) continue; // seeking a plain iterable: skip what was already emitted
      await this.push(x, this.advance);
    }
  }
}

export class AsyncIterableSource<T> extends Source<T> {
  constructor(readonly items: AsyncIterable<T>, options?: StreamOptions) {
    super(options);
  }

  override get kind(): string {
    return 'fromAsyncIterable';
  }

  protected async run(): Promise<void> {
    for await (const x of this.items) {
      if (this.stopped) return;
      await this.push(x);
    }
  }
}

Stream.fromIterable = <T>(items: Iterable<T>, options?: StreamOptions) => new IterableSource(items, options);
Stream.fromAsyncIterable = <T>(items: AsyncIterable<T>, options?: StreamOptions) => new AsyncIterableSource(items, options);
