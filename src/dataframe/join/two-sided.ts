/**
 * What the interval and as-of join nodes share: two inputs told apart by position (0: left,
 * 1: right, also when both are the same stream), each batch aligned to its side's dictionaries
 * and checked (key and time columns, errors through the node's policy), key ids that mean the
 * same on both sides, one watermark per side, and a `late` stream for rows whose time is below
 * their side's watermark (they could have matched rows already freed; never silently dropped).
 * A row at the watermark is on time: joins free rows only strictly below what the watermark allows.
 *
 * With `idleTimeout`, a side that sent nothing that long (or nothing at all since the other side
 * first did) is idle, as an input marked idle in Flink: it stops holding the join back (its
 * watermark is moved up to the other side's, and stays there), on a timer, so a left join's
 * unmatched rows come out with no element arriving. Its rows below that watermark are then late.
 */
import { Stream, type Push, type StreamOptions } from '../../core/stream.js';
import { joinEmitted, type Emitted, type Meta } from '../../core/meta.js';
import { LateStream } from '../../core/nodes/time-window-base.js';
import { sourcePartition, WatermarkTracker, type WatermarkOptions, type WatermarkState } from '../../core/watermark.js';
import { alignDicts, toFloat64, type Frame, type Schema } from '../frame.js';
import { int32s } from '../slab.js';
import { firstRows } from './row-store.js';
import type { Dictionary } from '../dictionary.js';
import { checkColumn, KeyIndex, type JoinSide } from './keys.js';
import type { JoinLayout } from './layout.js';

const TIME_TYPES = ['timestamp', 'float64', 'int32'] as const;

/** One input of a join: its schema and dictionaries, key columns and event-time column. */
export interface SideSpec {
  schema: Schema;
  dicts: Record<string, Dictionary>;
  keys: readonly string[];
  /** Event-time column; undefined: rows have no time (a static table's rows are all current). */
  on: string | undefined;
  /** A static table: all its rows are there from the start (its watermark is +Infinity). */
  complete?: boolean;
}

export interface JoinSettings extends StreamOptions, WatermarkOptions {
  left: SideSpec;
  right: SideSpec;
  layout: JoinLayout;
  how: 'inner' | 'left';
}

/** A batch of one side, aligned, with each row's key id and event time. */
export interface SideBatch {
  side: JoinSide;
  frame: Frame;
  keys: Float64Array;
  ts: Float64Array;
  /** That side's watermark before this batch: rows below it are late. */
  watermark: number;
}

/** Watermarks of both sides, checkpointed with the rows; how long each side has been quiet (ms; null: not started). */
export interface JoinClockState {
  left: WatermarkState;
  right: WatermarkState;
  quiet?: Record<JoinSide, number | null>;
}

const OTHER: Record<JoinSide, JoinSide> = { left: 'right', right: 'left' };

export abstract class TwoSidedJoin extends Stream<Frame> {
  /** Rows that arrived below their side's watermark (`key` says the side). */
  readonly late: LateStream<Frame>;
  protected readonly keyIndex: KeyIndex;
  protected readonly trackers: Record<JoinSide, WatermarkTracker>;
  /** Processing time of each side's last batch (either side's first batch for one that sent none yet); undefined before any. */
  private readonly lastSeen: Record<JoinSide, number | undefined> = { left: undefined, right: undefined };
  private readonly wake = this.wakeTimer((node) => node.background(() => node.settle(undefined)));

  constructor(
    inputs: Stream<Frame>[],
    readonly settings: JoinSettings,
  ) {
    super(settings, inputs);
    this.keyIndex = new KeyIndex(settings.left.keys.length);
    this.trackers = { left: new WatermarkTracker(settings), right: new WatermarkTracker(settings) };
    this.late = new LateStream<Frame>({ clock: this.clock }, [this]);
  }

  override params(): Record<string, unknown> {
    const { left, right, how } = this.settings;
    return { how, leftOn: left.keys, rightOn: right.keys, leftTime: left.on ?? null, rightTime: right.on ?? null, outOfOrder: this.trackers.left.outOfOrderMs };
  }

  protected override entry(upstream: Stream<any>, nth: number): Push<any> {
    // `a.join(a)`: the same stream twice, told apart by which of its connections this is.
    let index = this.upstreams.indexOf(upstream);
    for (let k = 0; k < nth; k++) index = this.upstreams.indexOf(upstream, index + 1);
    const side: JoinSide = index === 0 ? 'left' : 'right';
    return (x: Frame, meta: Meta) => this.receive(side, x, meta);
  }

  /** The side's watermark now (a static side: +Infinity, it is complete; an idle side: at least the other's). */
  protected watermark(side: JoinSide): number {
    if (this.settings[side].complete === true) return Infinity;
    const now = this.clock.now();
    const other = OTHER[side];
    if (this.settings[other].complete !== true && this.sideIdle(side, now) && !this.sideIdle(other, now)) this.trackers[side].advanceTo(this.trackers[other].current(now));
    return this.trackers[side].current(now);
  }

  private sideIdle(side: JoinSide, now: number): boolean {
    const seen = this.lastSeen[side];
    return seen !== undefined && now - seen >= this.trackers[side].idleTimeoutMs;
  }

  /** Wake when a partition or a side turns idle, which may free rows with no element arriving. */
  protected rearm(): void {
    const now = this.clock.now();
    let at = Infinity;
    if (this.waiting() && this.upstreams.length > 0) {
      for (const side of ['left', 'right'] as const) {
        at = Math.min(at, this.trackers[side].nextIdleAt(now));
        const seen = this.lastSeen[side];
        if (seen !== undefined && !this.sideIdle(side, now)) at = Math.min(at, seen + this.trackers[side].idleTimeoutMs);
      }
    }
    this.wake.aim(at, now);
  }

  /** Align and check a batch of one side; key ids and event times per row. */
  protected prepare(side: JoinSide, x: Frame): SideBatch {
    const spec = this.settings[side];
    const frame = alignDicts(x, spec.dicts);
    spec.keys.forEach((k) => checkColumn(side, frame, k, [spec.schema[k]]));
    if (spec.on !== undefined) checkColumn(side, frame, spec.on, TIME_TYPES);
    const ts = spec.on === undefined ? new Float64Array(frame.length).fill(-Infinity) : toFloat64(frame.col(spec.on));
    return { side, frame, keys: this.keyIndex.ids(frame, spec.keys), ts, watermark: this.watermark(side) };
  }

  private receive(side: JoinSide, x: Frame, meta: Meta): Emitted {
    this.throwIfFailed();
    const now = this.clock.now();
    this.lastSeen[side] = now;
    this.lastSeen[OTHER[side]] ??= now;
    let batch: SideBatch;
    try {
      batch = this.prepare(side, x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const n = batch.ts.length;
    const cutoff = this.lateApplies(side) ? batch.watermark : -Infinity;
    let maxTs = -Infinity;
    let lateRows = 0;
    for (let i = 0; i < n; i++) {
      const t = batch.ts[i];
      if (t > maxTs) maxTs = t;
      if (t < cutoff) lateRows++;
    }
    const results: Emitted[] = [];
    let onTime = firstRows(n); // no row late: the common case, no list made
    if (lateRows > 0) {
      const late: number[] = [];
      onTime = int32s(n - lateRows);
      for (let i = 0, kept = 0; i < n; i++) {
        if (batch.ts[i] < cutoff) late.push(i);
        else onTime[kept++] = i;
      }
      results.push(this.sendLate(batch, late, meta));
    }
    results.push(this.arrive(batch, onTime, meta));
    if (maxTs > -Infinity) this.trackers[side].observe(sourcePartition(meta), maxTs, this.clock.now());
    results.push(this.settle(meta));
    return joinEmitted(results);
  }

  private sendLate(b: SideBatch, rows: number[], meta: Meta): Emitted {
    if (this.stats !== undefined) this.stats.lateElements += rows.length;
    let eventTime = -Infinity;
    for (const r of rows) if (b.ts[r] > eventTime) eventTime = b.ts[r];
    const reason = `${b.side} rows below the ${b.side} watermark ${b.watermark} (their partners may be freed already)`;
    return this.late.emit({ element: b.frame.take(rows), key: b.side, eventTime, watermark: b.watermark, reason }, meta);
  }

  /** Whether rows of `side` below its watermark are late (not when nothing is ever freed for them). */
  protected lateApplies(_side: JoinSide): boolean {
    return true;
  }

  /** Join the on-time rows `rows` (ascending; read only, and not kept: it may be a shared array) of a batch (a null event time is never late: it joins nothing, see the subclasses). */
  protected abstract arrive(batch: SideBatch, rows: Int32Array, meta: Meta): Emitted;
  /** After a watermark moved: emit what it completes, free what it expires. */
  protected abstract advance(meta: Meta): Emitted;
  /** Whether rows wait for a watermark to move (a timer is kept only while some do). */
  protected abstract waiting(): boolean;

  private settle(meta: Meta): Emitted {
    const r = this.advance(meta);
    this.rearm();
    return r;
  }

  protected clockState(): JoinClockState {
    const now = this.clock.now();
    const quiet = (side: JoinSide) => {
      const seen = this.lastSeen[side];
      return seen === undefined ? null : now - seen;
    };
    return { left: this.trackers.left.snapshot(now), right: this.trackers.right.snapshot(now), quiet: { left: quiet('left'), right: quiet('right') } };
  }

  /** Restore the watermarks; the subclass calls `rearm` once its rows are back. */
  protected restoreClock(s: JoinClockState): void {
    const now = this.clock.now();
    this.trackers.left.restore(s.left, now);
    this.trackers.right.restore(s.right, now);
    for (const side of ['left', 'right'] as const) {
      const q = s.quiet?.[side];
      this.lastSeen[side] = q === undefined || q === null ? undefined : now - q;
    }
  }
}
