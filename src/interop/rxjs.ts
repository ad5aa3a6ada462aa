import { from, Observable, type ObservableInput, type Subscription } from 'rxjs';
import { Stream, type StreamOptions } from '../core/stream.js';
import { SinkNode } from '../sinks/sinks.js';
import { Source } from '../sources/source.js';

/**
 * RxJS has no backpressure: an Observable calls `next` whenever it likes and cannot be asked to
 * wait. Values that arrive while the graph pushes back (an emit returned a promise) wait in a
 * bounded buffer; one value more than `maxBuffer` fails the source with this error, rather than
 * letting memory grow without bound or dropping data silently. A synchronous Observable (`of`,
 * `from(array)`) delivers everything during `subscribe`, so it must fit in the buffer: use
 * `Stream.fromIterable` for a big array, or throttle/sample/buffer on the RxJS side.
 */
export class ObservableOverflowError extends Error {
  override readonly name = 'ObservableOverflowError';
  constructor(readonly maxBuffer: number) {
    super(`fromObservable: more than ${maxBuffer} values arrived while the graph was pushing back (RxJS cannot be paused); raise maxBuffer or slow the observable down`);
  }
}

export interface FromObservableOptions extends StreamOptions {
  /** Values held while the graph pushes back (default 10 000). */
  maxBuffer?: number;
}

declare module '../core/stream.js' {
  namespace Stream {
    /**
     * Subscribe to an Observable (or anything RxJS's `from` takes) when started and emit its
     * values; `start()` resolves when it completes, rejects on its error. It cannot seek, so a
     * checkpointed `runJob` refuses it. See `ObservableOverflowError` for backpressure.
     */
    var fromObservable: <T>(input: ObservableInput<T>, options?: FromObservableOptions) => ObservableSource<T>;
  }
  interface Stream<T> {
    /**
     * The elements of this stream as an Observable. Each subscription attaches its own sink node
     * (it is part of the graph, and of the pipeline description, while subscribed); unsubscribing
     * disconnects it. It never completes: a stream has no end.
     */
    toObservable(): Observable<T>;
  }
}

export class ObservableSource<T> extends Source<T> {
  readonly maxBuffer: number;
  private readonly queue: T[] = [];
  private ended: { error?: unknown } | undefined;
  private wake: (() => void) | undefined;
  private subscription: Subscription | undefined;

  constructor(readonly input: ObservableInput<T>, options: FromObservableOptions = {}) {
    super(options);
    this.maxBuffer = options.maxBuffer ?? 10_000;
  }

  override get kind(): string {
    return 'fromObservable';
  }

  protected async run(): Promise<void> {
    this.subscription = from(this.input).subscribe({
      next: (x) => {
        if (this.ended) return;
        if (this.queue.length >= this.maxBuffer) this.end({ error: new ObservableOverflowError(this.maxBuffer) });
        else this.queue.push(x);
        this.signal();
      },
      error: (error: unknown) => this.end({ error }),
      complete: () => this.end({}),
    });
    try {
      while (!this.stopped) {
        if (this.queue.length > 0) await this.push(this.queue.shift() as T);
        else if (this.ended) break;
        else await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.subscription.unsubscribe();
    }
    if (this.ended !== undefined && 'error' in this.ended && !this.stopped) throw this.ended.error;
  }

  /** An error is raised after the values that came before it have been emitted; an overflow drops the rest at once. */
  private end(how: { error?: unknown }): void {
    this.ended ??= how;
    if (how.error instanceof ObservableOverflowError) this.queue.length = 0;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  protected override onStop(): void {
    this.subscription?.unsubscribe();
    this.signal();
  }
}

Stream.fromObservable = <T>(input: ObservableInput<T>, options?: FromObservableOptions) => new ObservableSource(input, options);

Stream.prototype.toObservable = function <T>(this: Stream<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const sink = new SinkNode(this, (x: T) => subscriber.next(x));
    return () => sink.destroy();
  });
};
