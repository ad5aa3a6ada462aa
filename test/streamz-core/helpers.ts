// Shared helpers of the streamz ports: streamz.utils_test's `inc`, `double` and `metadata`.
import { Stream, type Emitted, type Meta, type MetaEntry } from '../core/nodes/streamframe.js';

export const inc = (x: number) => x + 1;
export const double = (x: number) => 2 * x;

/** streamz.utils_test.metadata: emits each element's metadata list instead of the element, when it has any. */
class MetadataNode extends Stream<readonly MetaEntry[]> {
  override update(_x: unknown, meta: Meta): Emitted {
    return meta !== undefined && meta.length > 0 ? this.out(meta, meta) : undefined;
  }
}

export function metadata(upstream: Stream<any>): Stream<readonly MetaEntry[]> {
  return new MetadataNode({}, [upstream]);
}

/** A tornado `Queue(maxsize)` stand-in: `put` waits while the queue is full. */
export class BoundedQueue<T> {
  private items: T[] = [];
  private waiting: (() => void)[] = [];
  private readers: ((x: T) => void)[] = [];

  constructor(readonly maxsize: number) {}

  put(x: T): Promise<void> | undefined {
    const reader = this.readers.shift();
    if (reader !== undefined) return void reader(x);
    this.items.push(x);
    if (this.items.length <= this.maxsize) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  get(): Promise<T> {
    const x = this.items.shift();
    if (x === undefined) return new Promise<T>((resolve) => this.readers.push(resolve));
    this.waiting.shift()?.();
    return Promise.resolve(x);
  }
}
