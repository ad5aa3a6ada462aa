import type { Seekable } from '../core/stateful.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import { Source } from './source.js';

declare module '../core/stream.js' {
  namespace Stream {
    /** Call `fn` every `ms` milliseconds on the clock and emit what it returns (awaited if a promise). */
    var fromPeriodic: <T>(fn: () => T | Promise<T>, ms: number, options?: StreamOptions) => PeriodicSource<T>;
  }
}

/** Polls the present, so there is nothing to replay: its position is only the number of polls made. */
export class PeriodicSource<T> extends Source<T> implements Seekable<{ polls: number }> {
  private polls = 0;

  constructor(readonly fn: () => T | Promise<T>, readonly ms: number, options?: StreamOptions) {
    super(options);
    if (!(ms > 0)) throw new RangeError('fromPeriodic: interval must be positive');
  }

  override get kind(): string {
    return 'fromPeriodic';
  }

  override params(): Record<string, unknown> {
    return { ms: this.ms };
  }

  position(): { polls: number } {
    return { polls: this.polls };
  }

  seek(p: { polls: number }): void {
    this.polls = p.polls;
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      await this.pause(this.ms);
      if (this.stopped) return;
      await this.push(await this.fn(), () => void this.polls++);
    }
  }
}

Stream.fromPeriodic = <T>(fn: () => T | Promise<T>, ms: number, options?: StreamOptions) => new PeriodicSource(fn, ms, options);
