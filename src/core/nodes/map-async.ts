import { releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { NodeError } from '../errors.js';
import type { Stateful } from '../stateful.js';
import { Signal } from '../signal.js';
import { Stream, type StreamOptions } from '../stream.js';
import { expectState } from '../state-shape.js';

declare module '../stream.js' {
  interface Stream<T> {
    /**
     * Apply an async function to every element, up to `concurrency` at once (default 1), emitting
     * results in input order. The emitter waits while `concurrency` calls are in flight.
     */
    mapAsync<U>(fn: (x: T) => Promise<U> | U, options?: StreamOptions & { concurrency?: number }): Stream<U>;
  }
}

interface Task<In, Out> {
  x: In;
  meta: Meta;
  result: Promise<Out>;
}

export class MapAsyncNode<In, Out> extends Stream<Out> implements Stateful<{ inputs: In[] }> {
  private tasks: Task<In, Out>[] = [];
  private draining = false;
  private readonly room = new Signal();
  private readonly drained = new Signal();
  readonly concurrency: number;

  constructor(upstream: Stream<In>, readonly fn: (x: In) => Promise<Out> | Out, options: StreamOptions & { concurrency?: number } = {}) {
    super(options, [upstream]);
    this.concurrency = options.concurrency ?? 1;
    if (!(this.concurrency >= 1)) throw new RangeError('mapAsync: concurrency must be at least 1');
  }

  override get kind(): string {
    return 'mapAsync';
  }

  override params(): Record<string, unknown> {
    return { concurrency: this.concurrency };
  }

  override get busy(): boolean {
    return super.busy || this.tasks.length > 0;
  }

  override idle(): Promise<void> {
    return this.busy && !super.busy ? this.drained.wait() : super.idle();
  }

  override update(x: In, meta: Meta): Emitted {
    this.throwIfFailed();
    this.start(x, meta);
    return this.tasks.length >= this.concurrency ? this.room.wait() : undefined;
  }

  private start(x: In, meta: Meta): void {
    retainRefs(meta);
    this.tasks.push({ x, meta, result: this.call(x) });
    if (!this.draining) {
      this.draining = true;
      this.background(() => this.drain());
    }
  }

  private call(x: In): Promise<Out> {
    const result = Promise.resolve().then(() => this.fn(x));
    result.catch(() => {}); // handled in drain(), in order; a later task may fail before an earlier one is awaited
    return result;
  }

  /** Emit results in input order, each push awaited before the next. */
  private async drain(): Promise<void> {
    while (this.tasks.length > 0) {
      const task = this.tasks[0];
      let y: Out;
      try {
        y = await task.result;
      } catch (e) {
        // The policy first: under 'raise' it throws, and whoever waits for room must see that.
        await this.fail(e, task.x, task.meta, async () => this.out(await this.fn(task.x), task.meta));
        this.tasks.shift();
        this.room.notify();
        releaseRefs(task.meta);
        continue;
      }
      this.tasks.shift();
      this.room.notify();
      await this.out(y, task.meta);
      releaseRefs(task.meta);
    }
    this.draining = false;
    this.drained.notify();
  }

  protected override onFailure(error: NodeError): void {
    this.room.fail(error);
    this.drained.fail(error);
  }

  /** Inputs whose results have not been emitted yet: on restore they are called again. */
  snapshot(): { inputs: In[] } {
    return { inputs: this.tasks.map((t) => t.x) };
  }

  restore(s: { inputs: In[] }): void {
    expectState(this.kind, s, { inputs: 'array' });
    for (const x of s.inputs) this.start(x, undefined);
  }
}

Stream.prototype.mapAsync = function (this: Stream<any>, fn: (x: any) => any, options?: StreamOptions & { concurrency?: number }) {
  return new MapAsyncNode(this, fn, options);
};
