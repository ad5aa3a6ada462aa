/**
 * A node's one timer, aimed at the next time it must wake with no element arriving (a source
 * partition going idle, a window's end, a table entry's expiry). Aiming at the time it already
 * waits for keeps the timer; any other time replaces it. A node makes one with
 * `Stream.wakeTimer(fire)`, on its own timers, so `destroy()` and `stopTimers()` cancel it.
 *
 * It reaches its node and the node's timers through fields, never through closures over the node:
 * a partitioned job's per-task copy of the node (`Stream.copyGraph`) then gets a `Wake` of its own
 * that schedules on, and fires, the copy rather than the template.
 */
import type { TimerHandle } from './clock.js';

/** How to reach a node's own timers (`Stream.schedule` and `cancel`). */
export interface NodeTimers<N> {
  schedule(node: N, fn: () => void, ms: number): TimerHandle;
  cancel(node: N, handle: TimerHandle | undefined): void;
}

export class Wake<N> {
  private handle: TimerHandle | undefined;
  private at = Infinity;

  constructor(
    private readonly node: N,
    private readonly timers: NodeTimers<N>,
    private readonly fire: (node: N) => void,
  ) {}

  /** Wake at clock time `at` (Infinity: not at all); `now` is the clock's time. */
  aim(at: number, now: number): void {
    if (at === this.at) return;
    this.timers.cancel(this.node, this.handle);
    this.handle = undefined;
    this.at = at;
    if (at === Infinity) return;
    this.handle = this.timers.schedule(
      this.node,
      () => {
        this.handle = undefined;
        this.at = Infinity;
        this.fire(this.node);
      },
      Math.max(0, at - now),
    );
  }
}
