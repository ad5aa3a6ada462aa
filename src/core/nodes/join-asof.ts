/**
 * As-of join of two keyed streams on event time (Flink's temporal table join, Kafka Streams'
 * versioned KTable join, pandas' `merge_asof`): each left element joined with the latest right
 * element of its key at or before the left element's event time; the right side is a table of
 * versions and emits nothing by itself.
 *
 * ```ts
 * const priced = trades.joinAsof(quotes, { key: 'symbol', on: 'ts', outOfOrder: '1s', ttl: '1h', how: 'left' });
 * priced.sink(([trade, quote]) => console.log(trade.symbol, quote?.bid ?? 'no quote'));
 * priced.late.sink(({ element, reason }) => console.warn(reason, element));
 * ```
 *
 * A left element waits, its references retained, until the right watermark passes its time (no
 * right element at or before it can come any more), then is emitted. A right element is kept until
 * a newer one of its key at or before the left watermark supersedes it (or `ttl` expires it), since
 * until then a left element still to come may pick it. An element below its own side's watermark
 * is late: its partners may be emitted or freed already; it goes to `late`.
 */
import { parseDuration } from '../duration.js';
import { joinEmitted, mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { expectState } from '../state-shape.js';
import { Stream } from '../stream.js';
import type { WatermarkState } from '../watermark.js';
import { MultiInput } from './combine.js';
import { JoinBuffer } from './join-buffer.js';
import { JoinWatermarks } from './join-watermarks.js';
import { checkHow, SIDE_NAMES, sideKeys, sideTimes, specParams, type AsofJoinOptions, type JoinHow, type JoinKey, type Joined, type Side } from './join-spec.js';
import { VersionTable } from './join-versions.js';
import { LateStream } from './time-window-base.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Join each element with the latest element of `table` for its key at or before its event time; emits `[element, version]` (`[element, null]` for none under `how: 'left'`). */
    joinAsof<R, K extends JoinKey<T, R>, H extends JoinHow = 'inner'>(table: Stream<R>, options: AsofJoinOptions<T, R, K, H>): TemporalJoinNode<T, R, Joined<T, R, H>>;
  }
}

/** One held element of either side, as checkpointed. */
export interface TemporalJoinEntry<X> {
  key: unknown;
  ts: number;
  x: X;
}

/** Checkpointed: the waiting left elements and the kept right versions, each in arrival order, and each input's watermark. */
export interface TemporalJoinState<L, R> {
  left: TemporalJoinEntry<L>[];
  right: TemporalJoinEntry<R>[];
  watermarks: [WatermarkState, WatermarkState];
}

export class TemporalJoinNode<L, R, Out extends [L, R | null]> extends MultiInput<Out> implements Stateful<TemporalJoinState<L, R>> {
  /** Elements that arrived below their side's watermark, with the reason (never silently dropped). */
  readonly late: LateStream<L | R>;
  readonly how: JoinHow;
  private readonly keys: [(x: unknown) => unknown, (x: unknown) => unknown];
  private readonly times: [(x: unknown) => number, (x: unknown) => number];
  private readonly specs: Record<string, unknown>;
  private readonly trackers: JoinWatermarks;
  private readonly waiting = new JoinBuffer<L>();
  private readonly versions: VersionTable<R>;
  private readonly wake = this.wakeTimer((node) => node.background(() => node.advance()));

  constructor(left: Stream<L>, table: Stream<R>, options: AsofJoinOptions<L, R, unknown, JoinHow>) {
    const keys = sideKeys(options.key);
    const times = sideTimes(options.on);
    const how = checkHow(options.how);
    const ttlMs = options.ttl === undefined ? Infinity : parseDuration(options.ttl);
    super(options, [left, table]);
    this.keys = keys;
    this.times = times;
    this.how = how;
    this.specs = { key: specParams(options.key), on: specParams(options.on) };
    this.versions = new VersionTable(ttlMs);
    this.trackers = new JoinWatermarks(options, this.clock);
    this.late = new LateStream<L | R>({ clock: this.clock }, [this]);
  }

  override get kind(): string {
    return 'asofJoin';
  }

  override params(): Record<string, unknown> {
    const ttl = Number.isFinite(this.versions.ttlMs) ? this.versions.ttlMs : null;
    return { how: this.how, ttl, ...this.trackers.params(), ...this.specs };
  }

  /** Each input's watermark: left elements below the right one are complete; the left one frees versions. */
  get watermarks(): { left: number; right: number } {
    return { left: this.trackers.of(0), right: this.trackers.of(1) };
  }

  /** Left elements waiting for the right watermark, and right versions kept. */
  get held(): { left: number; right: number } {
    return { left: this.waiting.size, right: this.versions.size };
  }

  protected receive(index: number, x: unknown, meta: Meta): Emitted {
    this.throwIfFailed();
    const side: Side = index === 0 ? 0 : 1;
    let key: unknown;
    let ts: number;
    try {
      key = this.keys[side](x);
      ts = this.times[side](x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const wm = this.trackers.of(side);
    let r: Emitted;
    if (ts < wm) r = this.sendLate(side, x as L | R, key, ts, wm, meta);
    else if (side === 0) r = this.fromLeft(x as L, key, ts, meta);
    else {
      retainRefs(meta);
      this.versions.add(key, x as R, ts, meta);
    }
    this.trackers.observe(side, meta, ts);
    return joinEmitted([r, this.advance()]);
  }

  /** Below the right watermark every version it could pick is here: look it up now; else wait. */
  private fromLeft(x: L, key: unknown, ts: number, meta: Meta): Emitted {
    if (ts < this.trackers.of(1)) return this.lookUp(x, key, ts, meta);
    retainRefs(meta);
    this.waiting.add(key, x, ts, meta, false);
    return undefined;
  }

  private lookUp(x: L, key: unknown, ts: number, meta: Meta): Emitted {
    const v = this.versions.latest(key, ts);
    if (v !== undefined) return this.emit([x, v.x] as Out, mergeMeta([meta, v.meta]));
    return this.how === 'left' ? this.emit([x, null] as Out, meta) : undefined;
  }

  private sendLate(side: Side, element: L | R, key: unknown, eventTime: number, watermark: number, meta: Meta): Emitted {
    if (this.stats !== undefined) this.stats.lateElements++;
    const partners = side === 0 ? 'the versions it would join may be freed' : 'left elements it would join may be emitted';
    const reason = `${SIDE_NAMES[side]} element of event time ${eventTime} is behind the ${SIDE_NAMES[side]} watermark ${watermark}: ${partners}`;
    return this.late.emit({ element, key, eventTime, watermark, reason }, meta);
  }

  /** Emit the waiting lefts the right watermark completed; free the versions no left still to come can pick. */
  private advance(): Emitted {
    const r = this.release(this.waiting.expire(this.trackers.of(1)));
    for (const v of this.versions.prune(Math.min(this.trackers.of(0), this.waiting.earliest))) releaseRefs(v.meta);
    this.rearm();
    return r;
  }

  private release(lefts: { x: L; key: unknown; ts: number; meta: Meta }[]): Emitted {
    return joinEmitted(
      lefts.map((l) => {
        const r = this.lookUp(l.x, l.key, l.ts, l.meta);
        releaseRefs(l.meta);
        return r;
      }),
    );
  }

  /** A source partition going idle may move a watermark with no element arriving: wake then. */
  private rearm(): void {
    const held = this.waiting.size + this.versions.size > 0 && this.upstreams.length > 0;
    this.wake.aim(held ? this.trackers.nextIdleAt() : Infinity, this.clock.now());
  }

  /** End of input: no version will come, so every waiting left is looked up now; the table stays (as `joinLatest`'s). */
  override endOfInput(): Emitted {
    const r = this.release(this.waiting.drain());
    this.rearm();
    return r;
  }

  snapshot(): TemporalJoinState<L, R> {
    const entry = <X>({ key, ts, x }: TemporalJoinEntry<X>): TemporalJoinEntry<X> => ({ key, ts, x });
    return {
      left: this.waiting.all().map(entry),
      right: this.versions.all().map(entry),
      watermarks: this.trackers.snapshot(),
    };
  }

  restore(s: TemporalJoinState<L, R>): void {
    expectState(this.kind, s, { left: 'array', right: 'array', watermarks: 'array' });
    this.trackers.restore(this.kind, s.watermarks);
    for (const h of [...this.waiting.drain(), ...this.versions.clear()]) releaseRefs(h.meta);
    for (const l of s.left) this.waiting.add(l.key, l.x, l.ts, undefined, false);
    for (const v of s.right) this.versions.add(v.key, v.x, v.ts, undefined);
    this.rearm();
  }
}

Stream.prototype.joinAsof = function (this: Stream<any>, table: Stream<any>, options: AsofJoinOptions<any, any, any, JoinHow>) {
  return new TemporalJoinNode(this, table, options);
} as Stream<any>['joinAsof'];
