/**
 * A node's one timer, aimed at the next time it must wake with no element arriving (a source
 * partition going idle, a window's end, a table entry's expiry). Aiming at the time it already
 * waits for keeps the timer; any other time replaces it. A node makes one with `Stream.wakeTimer(fire)`,
 * on its own timers, so `destroy()` and `stopTimers()` cancel it.
 */
import type { TimerHandle } from './clock.js';

/** The node's own timer functions (`Stream.schedule` and `cancel`, which `destroy()` also cancels). */
export interface NodeTimers {
  schedule(fn: () => void, ms: number): TimerHandle;
  cancel(handle: TimerHandle | undefined): void;
}

export class Wake {
  private handle: TimerHandle | undefined;
  private at = Infinity;

  constructor(
    private readonly timers: NodeTimers,
    private readonly fire: () => void,
  ) {}

  /** Wake at clock time `at` (Infinity: not at all); `now` is the clock's time. */
  aim(at: number, now: number): void {
    if (at === this.at) return;
    this.timers.cancel(this.handle);
    this.handle = undefined;
    this.at = at;
    if (at === Infinity) return;
    this.handle = this.timers.schedule(() => {
      this.handle = undefined;
      this.at = Infinity;
      this.fire();
    }, Math.max(0, at - now));
  }
}
