import { yieldTurn, type TimerHandle } from '../core/clock.js';
import { drain, flushEnded } from '../core/graph.js';
import { mergeMeta, type Emitted, type Meta } from '../core/meta.js';
import { Stream, type StreamOptions } from '../core/stream.js';

/** Yield to the event loop this often during a long synchronous run, so timers, signals and the I/O of a checkpoint being written get a turn. */
const YIELD_EVERY_MS = 2;

/** How a running job takes part in a source's emissions: a gate before each one, a count after. */
export interface SourceGate {
  /** A promise to wait on before the next emission (a checkpoint is being taken), or undefined. */
  beforeEmit(source: Source<any>): Promise<void> | undefined;
  afterEmit(source: Source<any>): void;
}

/**
 * A stream that produces elements by itself once started. A source advances its position only
 * after an element's emit has settled, so whenever it is not `emitting`, its position is exactly
 * the next element to read and the graph holds everything before it: a consistent cut.
 * `start()` resolves when the source is
 * exhausted or stopped and everything it emitted has left the graph's asynchronous nodes.
 */
export abstract class Source<T> extends Stream<T> {
  private running: Promise<void> | undefined;
  // Set before run() is called: run() executes synchronously up to its first await, before
  // `running` is assigned, and must not see itself as stopped there.
  private active = false;
  private stopRequested = false;
  private lastYield = 0;
  private inEmit = false;
  private readToEnd = false;
  private readonly paused = new Set<() => void>();
  /** Set by a job runner. */
  gate: SourceGate | undefined;
  /** Set by a job that tracks processing (read-your-writes): metadata for the element about to be emitted. */
  track: ((source: Source<any>) => Meta) | undefined;

  constructor(options: StreamOptions = {}) {
    super(options, []);
  }

  /** True while an element is on its way through the graph (between gate and settle). */
  get emitting(): boolean {
    return this.inEmit;
  }

  /** Read to its end (not stopped): the graph below has flushed, or is flushing, what it held. */
  override get exhausted(): boolean {
    return this.readToEnd;
  }

  get stopped(): boolean {
    return this.stopRequested || !this.active;
  }

  /** Start emitting. A source stopped before it started (a job stopped right after its restore) emits nothing. */
  override start(): Promise<void> {
    if (this.running === undefined) {
      this.active = true;
      this.lastYield = performance.now();
      this.running = this.run().then(async () => {
        await drain(this);
        // Read to its end, not stopped: what the graph still holds is flushed (a stopped job keeps it in its checkpoint).
        if (this.stopRequested) return;
        this.readToEnd = true;
        await flushEnded(this);
      });
    }
    return this.running;
  }

  /** Stop after the element being emitted (or at once while waiting in `pause`); `start()`'s promise then resolves. */
  stop(): void {
    this.stopRequested = true;
    for (const wake of this.paused) wake();
    this.onStop();
  }

  protected onStop(): void {}

  /**
   * Wait on the source's clock; `stop()` ends the wait at once (a timer left pending would also keep
   * the process alive, and a virtual clock might never fire it).
   */
  protected pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve(); // stopped while not paused: no wake would come
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined = undefined; // unset while a clock runs a zero delay synchronously
      const wake = () => {
        timer?.cancel();
        this.paused.delete(wake);
        resolve();
      };
      this.paused.add(wake);
      timer = this.clock.setTimeout(wake, ms);
    });
  }

  /**
   * Called by a job once a checkpoint recording `position` (this source's `position()` at the cut)
   * is durable. Kafka sources commit their group offsets here; others need nothing.
   */
  checkpointCommitted(_position: unknown): Promise<void> | void {}

  /** Produce elements until exhausted or `stopped`. */
  protected abstract run(): Promise<void>;

  /**
   * Emit, waiting at the job's gate first and when the graph pushes back, and now and then letting
   * the event loop run. `advance` moves the source's position past `x`; it runs once the emit has
   * settled and before the source stops counting as emitting, so no cut sees one without the other.
   */
  protected async push(x: T, advance?: () => void, meta?: Meta): Promise<void> {
    const wait = this.gate?.beforeEmit(this);
    if (wait) await wait;
    this.inEmit = true;
    let r: Emitted;
    try {
      r = this.emit(x, this.track === undefined ? meta : mergeMeta([meta, this.track(this)]));
      if (r) await r;
      advance?.();
    } finally {
      this.inEmit = false;
    }
    this.gate?.afterEmit(this);
    if (r) return;
    if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
      await yieldTurn(this.clock);
      this.lastYield = performance.now();
    }
  }
}
