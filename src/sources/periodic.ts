import type { Seekable } from '../core/stateful.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import { Source } from './source.js';
import { parseDuration, type Duration } from '../core/duration.js';

declare module '../core/stream.js' {
  namespace Stream {
    /** Call `fn` every `interval` (ms or a string like '500ms') on the clock and emit what it returns (awaited if a promise). */
    var fromPeriodic: <T>(fn: () => T | Promise<T>, interval: Duration, options?: StreamOptions) => PeriodicSource<T>;
  }
}

/** Polls the present, so there is nothing to replay: its position is only the number of polls made. */
export class PeriodicSource<T> extends Source<T> implements Seekable<{ polls: number }> {
  private polls = 0;

  readonly ms: number;

  constructor(readonly fn: () => T | Promise<T>, interval: Duration, options?: StreamOptions) {
    super(options);
    this.ms = parseDuration(interval);
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

Stream.fromPeriodic = <T>(fn: () => T | Promise<T>, interval: Duration, options?: StreamOptions) => new PeriodicSource(fn, interval, options);
