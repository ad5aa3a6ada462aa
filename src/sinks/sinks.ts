import { createWriteStream, type WriteStream } from 'node:fs';
import { isPromise, type Emitted, type Meta } from '../core/meta.js';
import { defineStep } from '../core/fuse.js';
import { Stream, type StreamOptions } from '../core/stream.js';

declare module '../core/stream.js' {
  interface Stream<T> {
    /** Call `fn` on every element; if it returns a promise the emitter waits for it. */
    sink(fn: (x: T) => unknown, options?: StreamOptions): SinkNode<T>;
    /** Append every element to an array and return the array. */
    sinkToList(options?: StreamOptions): T[];
    /** Write every element as a line of a text file (strings as they are, anything else as JSON). */
    sinkToTextFile(path: string, options?: StreamOptions & { end?: string; mode?: 'a' | 'w' }): TextFileSink<T>;
  }
}

export class SinkNode<T> extends Stream<never> {
  constructor(upstream: Stream<T>, readonly fn: (x: T) => unknown, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'sink';
  }

  override update(x: T, meta: Meta): Emitted {
    let r: unknown;
    try {
      r = this.fn(x);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return r === undefined || !isPromise(r) ? undefined : this.awaited(r, x, meta);
  }

  /** The error policy for `fn` failing on `x` (also called from fused chains). */
  failed(e: unknown, x: T, meta: Meta): Emitted {
    return this.fail(e, x, meta, () => this.call(x));
  }

  /** Wait for what `fn` returned; a rejection goes through the error policy. */
  awaited(r: Promise<unknown>, x: T, meta: Meta): Emitted {
    return r.then(undefined, (e: unknown) => this.failed(e, x, meta));
  }

  private call(x: T): Emitted {
    const r = this.fn(x);
    return isPromise(r) ? r : undefined;
  }
}

defineStep(SinkNode, {
  ends: true,
  write(n, w) {
    const r = w.guarded(n, `${w.bind(n.fn)}(${w.x})`);
    w.line(`return ${r} === undefined || !${w.bind(isPromise)}(${r}) ? undefined : ${w.bind(n)}.awaited(${r}, ${w.x}, meta);`);
    return undefined;
  },
});

export class ListSink<T> extends Stream<never> {
  readonly list: T[] = [];

  constructor(upstream: Stream<T>, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'sinkToList';
  }

  override update(x: T): Emitted {
    this.list.push(x);
    return undefined;
  }
}
defineStep(ListSink, {
  ends: true,
  write(n, w) {
    w.line(`${w.bind(n)}.list.push(${w.x}); return undefined;`);
    return undefined;
  },
});

export class TextFileSink<T> extends Stream<never> {
  private readonly file: WriteStream;
  private readonly end: string;
  private error: Error | undefined;

  constructor(upstream: Stream<T>, readonly path: string, options: StreamOptions & { end?: string; mode?: 'a' | 'w' } = {}) {
    super(options, [upstream]);
    this.end = options.end ?? '\n';
    this.file = createWriteStream(path, { flags: options.mode ?? 'a' });
    // Without a listener a write error (missing directory, full disk) crashes the process:
    // keep it and raise it to the next write and to close().
    this.file.on('error', (e) => void (this.error ??= e));
  }

  override get kind(): string {
    return 'sinkToTextFile';
  }

  override update(x: T): Emitted {
    if (this.error !== undefined) throw this.error;
    const line = (typeof x === 'string' ? x : JSON.stringify(x)) + this.end;
    if (this.file.write(line)) return undefined;
    // An error instead of 'drain' must not leave the emitter waiting forever.
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        this.file.off('drain', done).off('error', done);
        if (e) reject(e);
        else resolve();
      };
      this.file.on('drain', done).on('error', done);
    });
  }

  /** Flush and close the file. */
  close(): Promise<void> {
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  override destroy(): void {
    super.destroy();
    this.close().catch(() => undefined); // a write error was already raised to the emitter
  }
}

Stream.prototype.sink = function (this: Stream<any>, fn: (x: any) => unknown, options?: StreamOptions) {
  return new SinkNode(this, fn, options);
};
Stream.prototype.sinkToList = function (this: Stream<any>, options?: StreamOptions) {
  return new ListSink(this, options).list;
};
Stream.prototype.sinkToTextFile = function (this: Stream<any>, path: string, options?: StreamOptions & { end?: string; mode?: 'a' | 'w' }) {
  return new TextFileSink(this, path, options);
};
