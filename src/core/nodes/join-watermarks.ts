/**
 * The two inputs' watermarks of an event-time join, each as a window's (per source partition,
 * `outOfOrder`, `idleTimeout`), read, checkpointed and restored together.
 */
import type { Clock } from '../clock.js';
import type { Meta } from '../meta.js';
import { StateShapeError } from '../state-shape.js';
import { sourcePartition, WatermarkTracker, type WatermarkOptions, type WatermarkState } from '../watermark.js';
import type { Side } from './join-spec.js';

export class JoinWatermarks {
  private readonly trackers: [WatermarkTracker, WatermarkTracker];

  constructor(
    options: WatermarkOptions,
    private readonly clock: Clock,
  ) {
    const watermark = { outOfOrder: options.outOfOrder, idleTimeout: options.idleTimeout };
    this.trackers = [new WatermarkTracker(watermark), new WatermarkTracker(watermark)];
  }

  /** For the pipeline description. */
  params(): { outOfOrder: number; idleTimeout: number | null } {
    const { outOfOrderMs, idleTimeoutMs } = this.trackers[0];
    return { outOfOrder: outOfOrderMs, idleTimeout: Number.isFinite(idleTimeoutMs) ? idleTimeoutMs : null };
  }

  /** One input's watermark now. */
  of(side: Side): number {
    return this.trackers[side].current(this.clock.now());
  }

  /** The lower of the two: an input that sent nothing yet holds it back. */
  lower(): number {
    return Math.min(this.of(0), this.of(1));
  }

  observe(side: Side, meta: Meta, ts: number): void {
    this.trackers[side].observe(sourcePartition(meta), ts, this.clock.now());
  }

  /** When (processing time) a source partition of either input turns idle next, which may move a watermark. */
  nextIdleAt(): number {
    const now = this.clock.now();
    return Math.min(this.trackers[0].nextIdleAt(now), this.trackers[1].nextIdleAt(now));
  }

  snapshot(): [WatermarkState, WatermarkState] {
    const now = this.clock.now();
    return [this.trackers[0].snapshot(now), this.trackers[1].snapshot(now)];
  }

  /** `kind`: the join's, to name it in a `StateShapeError`. */
  restore(kind: string, watermarks: WatermarkState[]): void {
    if (watermarks.length !== 2) throw new StateShapeError(kind, `field "watermarks" must hold one watermark per input (2), got ${watermarks.length}`);
    const now = this.clock.now();
    watermarks.forEach((w, side) => this.trackers[side].restore(w, now));
  }
}
