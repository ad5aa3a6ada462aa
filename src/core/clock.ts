/** A handle returned by `Clock.setTimeout`. */
export interface TimerHandle {
  cancel(): void;
}

/** Where every time-based node reads time and schedules work. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /**
   * Let the event loop run once (I/O, signals, other work) in the middle of a long run. Optional:
   * without it, one macrotask. A virtual clock counts these turns to know when work it started is
   * still going.
   */
  yieldTurn?(): Promise<void>;
}

const macrotask = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One event-loop turn, through the clock when it keeps count of them. */
export function yieldTurn(clock: Clock): Promise<void> {
  return clock.yieldTurn?.() ?? macrotask();
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Node fires timers longer than this after 1 ms, so longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    let t: NodeJS.Timeout;
    const wait = (left: number) => {
      t = setTimeout(() => (left > MAX_TIMER_MS ? wait(left - MAX_TIMER_MS) : fn()), Math.min(Math.max(0, left), MAX_TIMER_MS));
    };
    wait(ms);
    return { cancel: () => clearTimeout(t) };
  },
};

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Time that moves only when told to. `advance(ms)` runs every timer due up to now + ms in order,
 * letting promise continuations settle between timers, so async nodes chained on timers behave as
 * they would in real time. Work a timer starts may yield to the event loop through `yieldTurn`
 * (a source does, every few real milliseconds) before it sets its next timer: the next timer fires
 * only once no such turn is outstanding, however many turns the work takes on a loaded machine.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];
  private turns = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1].at > timer.at)) i--;
    this.timers.splice(i, 0, timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  yieldTurn(): Promise<void> {
    this.turns++;
    return macrotask().finally(() => this.turns--);
  }

  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.time = Math.max(this.time, next.at);
      next.fn();
      await this.settle();
    }
    this.time = Math.max(this.time, target);
  }

  /**
   * Wait until no `yieldTurn` is outstanding. setImmediate callbacks run in order and each drains
   * its promise continuations, so when ours runs, the work woken before has either finished, set a
   * timer, waits on something else, or yielded again (and we wait once more).
   */
  private async settle(): Promise<void> {
    do await macrotask();
    while (this.turns > 0);
  }
}

/** The structural part of an RxJS `SchedulerLike` that a clock needs (e.g. a `VirtualTimeScheduler`). */
export interface SchedulerLike {
  now(): number;
  schedule(work: () => void, delay?: number): { unsubscribe(): void };
}

/** A clock driven by an RxJS scheduler: `VirtualTimeScheduler.flush()` then moves our windows too. */
export function clockFromScheduler(scheduler: SchedulerLike): Clock {
  return {
    now: () => scheduler.now(),
    setTimeout(fn, ms) {
      const sub = scheduler.schedule(() => fn(), Math.max(0, ms));
      return { cancel: () => sub.unsubscribe() };
    },
  };
}
