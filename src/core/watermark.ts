import { parseDuration, parseDurationOrZero, type Duration } from './duration.js';
import type { Meta } from './meta.js';
import type { Stateful } from './stateful.js';

/** How an event-time node derives its watermark from what it sees. */
export interface WatermarkOptions {
  /** Bounded out-of-orderness: an element may arrive this far behind the largest event time of its partition (default 0). */
  outOfOrder?: Duration;
  /** A partition that sent nothing for this long (processing time) stops holding the watermark back. */
  idleTimeout?: Duration;
}

/** One source partition's progress: its largest event time and when (processing time) it last sent. */
interface PartitionProgress {
  maxTs: number;
  seenAt: number;
}

/** Checkpointed form: per partition `[id, maxTs, ms since it last sent]`, and the watermark reached. */
export interface WatermarkState {
  partitions: [string, number, number][];
  watermark: number | null;
}

/**
 * The source partition an element came from, read from its metadata: a Kafka source attaches
 * `{ topic, partition }`, a source with one partition nothing (then all elements share one id).
 */
export function sourcePartition(meta: Meta): string {
  if (meta !== undefined) {
    for (const m of meta) if (typeof m.partition === 'number' || typeof m.partition === 'string') return `${String(m.topic ?? '')}/${m.partition}`;
  }
  return '';
}

/**
 * A watermark over source partitions, as Flink derives one: per partition the largest event time
 * seen minus the allowed out-of-orderness; the minimum over partitions that are not idle (all of
 * them when every one is idle) is the watermark, which never goes back. It is plain state, so a
 * window or a join keeps one (or one per input) and checkpoints it with its own state.
 */
export class WatermarkTracker implements Stateful<WatermarkState> {
  readonly outOfOrderMs: number;
  readonly idleTimeoutMs: number;
  private partitions = new Map<string, PartitionProgress>();
  private reached = -Infinity;

  constructor(options: WatermarkOptions = {}) {
    this.outOfOrderMs = parseDurationOrZero(options.outOfOrder ?? 0);
    this.idleTimeoutMs = options.idleTimeout === undefined ? Infinity : parseDuration(options.idleTimeout);
  }

  /** Record an event time from a partition at processing time `now`. */
  observe(partition: string, ts: number, now: number): void {
    const p = this.partitions.get(partition);
    if (p === undefined) this.partitions.set(partition, { maxTs: ts, seenAt: now });
    else {
      if (ts > p.maxTs) p.maxTs = ts;
      p.seenAt = now;
    }
  }

  /** The watermark at processing time `now`: every event time at or below it is complete. */
  current(now: number): number {
    let active = Infinity;
    let all = -Infinity;
    for (const p of this.partitions.values()) {
      if (now - p.seenAt < this.idleTimeoutMs && p.maxTs < active) active = p.maxTs;
      if (p.maxTs > all) all = p.maxTs;
    }
    const bound = (active === Infinity ? all : active) - this.outOfOrderMs;
    if (bound > this.reached) this.reached = bound;
    return this.reached;
  }

  /** Move the watermark forward to at least `ts` (a window closed on processing time). */
  advanceTo(ts: number): void {
    if (ts > this.reached) this.reached = ts;
  }

  /** When (processing time) the next partition turns idle, which may move the watermark; Infinity if none will. */
  nextIdleAt(now: number): number {
    let next = Infinity;
    for (const p of this.partitions.values()) {
      const at = p.seenAt + this.idleTimeoutMs;
      if (at > now && at < next) next = at;
    }
    return next;
  }

  snapshot(now = 0): WatermarkState {
    return {
      partitions: [...this.partitions].map(([id, p]) => [id, p.maxTs, now - p.seenAt]),
      watermark: Number.isFinite(this.reached) ? this.reached : null,
    };
  }

  /** Restore at processing time `now`: each partition has been quiet as long as it had been at the snapshot. */
  restore(s: WatermarkState, now = 0): void {
    this.partitions = new Map(s.partitions.map(([id, maxTs, quietFor]) => [id, { maxTs, seenAt: now - quietFor }]));
    this.reached = s.watermark ?? -Infinity;
  }
}
