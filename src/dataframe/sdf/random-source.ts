/**
 * Random: streamz's demo source (`streamz.dataframe.Random`): every `interval` on the clock, a
 * frame of rows (timestamp, x, y, z), one per `freq` of event time. Unlike streamz, event time
 * advances by exactly `interval` per batch (from `start`, default the clock's time at
 * construction) instead of following the wall clock, so a run is reproducible from its seed and a
 * restart continues the same sequence. Its position is (batches emitted, event time, RNG state),
 * so runJob can checkpoint it.
 */
import type { Seekable } from '../../core/stateful.js';
import type { StreamOptions } from '../../core/stream.js';
import { Source } from '../../sources/source.js';
import { parseDuration } from '../../core/duration.js';
import type { Frame } from '../frame.js';
import { RandomSource } from '../random.js';

export interface RandomOptions extends StreamOptions {
  /** Event time between rows (default '100ms'). */
  freq?: string | number;
  /** Clock time between batches (default '500ms'). */
  interval?: string | number;
  seed?: number;
  /** Event time of the first row's tick, ms (default: the clock's time at construction). */
  start?: number;
  /** Stop after this many batches (default: run until stopped). */
  batches?: number;
}

export interface RandomPosition {
  batches: number;
  /** Event time of the last row emitted (ms). */
  last: number;
  /** Remainder of event time not yet turned into rows (interval not a multiple of freq). */
  carry: number;
  rng: number[];
}

export class Random extends Source<Frame> implements Seekable<RandomPosition> {
  private readonly gen: RandomSource;
  readonly freqMs: number;
  readonly intervalMs: number;
  private readonly seed: number;
  private readonly limit: number;
  private pos: RandomPosition;

  constructor(options: RandomOptions = {}) {
    super(options);
    this.seed = options.seed ?? 0;
    this.gen = new RandomSource({ seed: this.seed, freq: options.freq ?? '100ms' });
    this.freqMs = this.gen.freqMs;
    this.intervalMs = parseDuration(options.interval ?? '500ms');
    this.limit = options.batches ?? Infinity;
    this.pos = { batches: 0, last: options.start ?? this.clock.now(), carry: 0, rng: this.gen.rng.getState() };
  }

  override get kind(): string {
    return 'random';
  }

  override params(): Record<string, unknown> {
    return { freq: this.freqMs, interval: this.intervalMs, seed: this.seed };
  }

  /** Where the next batch starts. The RNG state is the one after the last emitted batch, not after one generated but still waiting at a checkpoint gate. */
  position(): RandomPosition {
    return { ...this.pos, rng: [...this.pos.rng] };
  }

  seek(p: RandomPosition): void {
    this.pos = { ...p, rng: [...p.rng] };
    this.gen.rng.setState(p.rng);
  }

  protected async run(): Promise<void> {
    while (!this.stopped && this.pos.batches < this.limit) {
      await this.pause(this.intervalMs);
      if (this.stopped) return;
      const span = this.pos.carry + this.intervalMs;
      const n = Math.floor(span / this.freqMs);
      const frame = this.gen.rows(n, this.pos.last + this.freqMs);
      const next: RandomPosition = { batches: this.pos.batches + 1, last: this.pos.last + n * this.freqMs, carry: span - n * this.freqMs, rng: this.gen.rng.getState() };
      await this.push(frame, () => void (this.pos = next));
    }
  }
}
