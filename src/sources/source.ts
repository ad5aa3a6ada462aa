import { drain } from '../core/graph.js';
import type { Emitted, Meta } from '../core/meta.js';
import { Stream, type StreamOptions } from '../core/stream.js';

/** Yield to the event loop this often during a long synchronous run, so timers and signals get a turn. */
const YIELD_EVERY_MS = 10;

/**
 * A stream that produces elements by itself once started. `start()` resolves when the source is
 * exhausted or stopped and everything it emitted has left the graph's asynchronous nodes.
 */
export abstract class Source<T> extends Stream<T> {
  private running: Promise<void> | undefined;
  // Set before run() is called: run() executes synchronously up to its first await, before
  // `running` is assigned, and must not see itself as stopped there.
  private active = false;
  private stopRequested = false;
  private lastYield = 0;

  constructor(options: StreamOptions = {}) {
    super(options, []);
  }

  get stopped(): boolean {
    return this.stopRequested || !this.active;
  }

  start(): Promise<void> {
    if (this.running === undefined) {
      this.stopRequested = false;
      this.active = true;
      this.lastYield = performance.now();
      this.running = this.run().then(() => drain(this));
    }
    return this.running;
  }

  /** Stop after the element being emitted; `start()`'s promise then resolves. */
  stop(): void {
    this.stopRequested = true;
    this.onStop();
  }

  protected onStop(): void {}

  /** Produce elements until exhausted or `stopped`. */
  protected abstract run(): Promise<void>;

  /** Emit, waiting when the graph pushes back, and now and then letting the event loop run. */
  protected async push(x: T, meta?: Meta): Promise<void> {
    const r: Emitted = this.emit(x, meta);
    if (r) await r;
    else if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
  }
}
