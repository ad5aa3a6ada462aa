/**
 * Interval join of two keyed streams on event time (Flink's interval join, Kafka Streams'
 * windowed KStream-KStream join): a right element joins every left element of its key whose
 * event time is at most `before` earlier and `after` later than its own.
 *
 * ```ts
 * const paid = orders.join(payments, { key: 'orderId', on: 'ts', within: { before: 0, after: '1h' }, how: 'left' });
 * paid.sink(([order, payment]) => console.log(order.orderId, payment === null ? 'unpaid' : payment.amount));
 * paid.late.sink(({ element, reason }) => console.warn(reason, element));
 * ```
 *
 * Each element waits, its references retained, until the watermark (the lower of the two
 * inputs', each the minimum over its source partitions minus `outOfOrder`) passes the last event
 * time it could still join; then it is freed, and a left join emits an unmatched left with null.
 */
import { parseDurationOrZero } from '../duration.js';
import { joinEmitted, mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { expectState } from '../state-shape.js';
import { Stream } from '../stream.js';
import type { WatermarkState } from '../watermark.js';
import { MultiInput } from './combine.js';
import { JoinBuffer, type Held } from './join-buffer.js';
import { JoinWatermarks } from './join-watermarks.js';
import { checkHow, SIDE_NAMES, sideKeys, sideTimes, specParams, withinMs, type IntervalJoinOptions, type JoinHow, type JoinKey, type Joined, type Side } from './join-spec.js';
import { LateStream } from './time-window-base.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Interval join with `other` on a key and event time; emits `[left, right]` (`[left, null]` for an unmatched left under `how: 'left'`). */
    join<R, K extends JoinKey<T, R>, H extends JoinHow = 'inner'>(other: Stream<R>, options: IntervalJoinOptions<T, R, K, H>): IntervalJoinNode<T, R, Joined<T, R, H>>;
  }
}

/** Checkpointed: both sides' held elements in arrival order, and each input's watermark. */
export interface IntervalJoinState<L, R> {
  left: { key: unknown; ts: number; x: L; matched: boolean }[];
  right: { key: unknown; ts: number; x: R }[];
  watermarks: [WatermarkState, WatermarkState];
}

/** The options checked and in milliseconds, before the node connects to its inputs. */
export interface IntervalJoinSettings {
  keys: [(x: unknown) => unknown, (x: unknown) => unknown];
  times: [(x: unknown) => number, (x: unknown) => number];
  beforeMs: number;
  afterMs: number;
  latenessMs: number;
  how: JoinHow;
  params: Record<string, unknown>;
}

export function intervalJoinSettings(options: IntervalJoinOptions<unknown, unknown, unknown, JoinHow>): IntervalJoinSettings {
  const [beforeMs, afterMs] = withinMs(options.within);
  return {
    keys: sideKeys(options.key),
    times: sideTimes(options.on),
    beforeMs,
    afterMs,
    latenessMs: parseDurationOrZero(options.lateness ?? 0),
    how: checkHow(options.how),
    params: { key: specParams(options.key), on: specParams(options.on) },
  };
}

export class IntervalJoinNode<L, R, Out extends [L, R | null]> extends MultiInput<Out> implements Stateful<IntervalJoinState<L, R>> {
  /** Elements that arrived after everything they could join was freed, with the reason (never silently dropped). */
  readonly late: LateStream<L | R>;
  private readonly trackers: JoinWatermarks;
  private left = new JoinBuffer<L>();
  private right = new JoinBuffer<R>();
  private readonly wake = this.wakeTimer((node) => node.background(() => node.advance()));

  constructor(left: Stream<L>, right: Stream<R>, readonly settings: IntervalJoinSettings, options: IntervalJoinOptions<L, R, unknown, JoinHow>) {
    super(options, [left, right]);
    this.trackers = new JoinWatermarks(options, this.clock);
    this.late = new LateStream<L | R>({ clock: this.clock }, [this]);
  }

  override get kind(): string {
    return 'intervalJoin';
  }

  override params(): Record<string, unknown> {
    const { beforeMs, afterMs, latenessMs, how, params } = this.settings;
    return { how, before: beforeMs, after: afterMs, lateness: latenessMs, ...this.trackers.params(), ...params };
  }

  /** The lower of the two inputs' watermarks: an input that sent nothing yet holds it back. */
  get watermark(): number {
    return this.trackers.lower();
  }

  /** How many elements each side holds. */
  get held(): { left: number; right: number } {
    return { left: this.left.size, right: this.right.size };
  }

  protected receive(index: number, x: unknown, meta: Meta): Emitted {
    this.throwIfFailed();
    const side: Side = index === 0 ? 0 : 1;
    let key: unknown;
    let ts: number;
    try {
      key = this.settings.keys[side](x);
      ts = this.settings.times[side](x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const wm = this.watermark;
    let r: Emitted;
    if (ts + this.settings.latenessMs < wm) r = this.sendLate(side, x as L | R, key, ts, wm, meta);
    else r = side === 0 ? this.fromLeft(x as L, key, ts, meta) : this.fromRight(x as R, key, ts, meta);
    this.trackers.observe(side, meta, ts);
    return joinEmitted([r, this.advance()]);
  }

  private fromLeft(x: L, key: unknown, ts: number, meta: Meta): Emitted {
    const matches = this.right.between(key, ts - this.settings.beforeMs, ts + this.settings.afterMs);
    retainRefs(meta);
    this.left.add(key, x, ts, meta, matches.length > 0);
    return joinEmitted(matches.map((r) => this.emit([x, r.x] as Out, mergeMeta([meta, r.meta]))));
  }

  private fromRight(x: R, key: unknown, ts: number, meta: Meta): Emitted {
    const matches = this.left.between(key, ts - this.settings.afterMs, ts + this.settings.beforeMs);
    retainRefs(meta);
    this.right.add(key, x, ts, meta, true);
    return joinEmitted(
      matches.map((l) => {
        l.matched = true;
        return this.emit([l.x, x] as Out, mergeMeta([l.meta, meta]));
      }),
    );
  }

  private sendLate(side: Side, element: L | R, key: unknown, eventTime: number, watermark: number, meta: Meta): Emitted {
    if (this.stats !== undefined) this.stats.lateElements++;
    const reason = `${SIDE_NAMES[side]} element of event time ${eventTime} is more than the allowed lateness (${this.settings.latenessMs} ms) behind the watermark ${watermark}: what it could join was freed`;
    return this.late.emit({ element, key, eventTime, watermark, reason }, meta);
  }

  /** Free what the watermark put out of reach of any element still to come (a left join emits its unmatched lefts). */
  private advance(): Emitted {
    const wm = this.watermark;
    const { beforeMs, afterMs, latenessMs } = this.settings;
    for (const r of this.right.expire(wm - beforeMs - latenessMs)) releaseRefs(r.meta);
    const r = this.release(this.left.expire(wm - afterMs - latenessMs));
    this.rearm();
    return r;
  }

  private release(lefts: Held<L>[]): Emitted {
    const results: Emitted[] = [];
    for (const l of lefts) {
      if (!l.matched && this.settings.how === 'left') results.push(this.emit([l.x, null] as Out, l.meta));
      releaseRefs(l.meta);
    }
    return joinEmitted(results);
  }

  /** A source partition going idle may move the watermark with no element arriving: wake then. */
  private rearm(): void {
    const held = this.left.size + this.right.size > 0 && this.upstreams.length > 0;
    this.wake.aim(held ? this.trackers.nextIdleAt() : Infinity, this.clock.now());
  }

  /** End of input: nothing more can match, so a left join emits every unmatched left; all is freed. */
  override endOfInput(): Emitted {
    for (const r of this.right.drain()) releaseRefs(r.meta);
    const r = this.release(this.left.drain());
    this.rearm();
    return r;
  }

  snapshot(): IntervalJoinState<L, R> {
    return {
      left: this.left.all().map(({ key, ts, x, matched }) => ({ key, ts, x, matched })),
      right: this.right.all().map(({ key, ts, x }) => ({ key, ts, x })),
      watermarks: this.trackers.snapshot(),
    };
  }

  restore(s: IntervalJoinState<L, R>): void {
    expectState(this.kind, s, { left: 'array', right: 'array', watermarks: 'array' });
    this.trackers.restore(this.kind, s.watermarks);
    for (const h of [...this.left.drain(), ...this.right.drain()]) releaseRefs(h.meta);
    for (const l of s.left) this.left.add(l.key, l.x, l.ts, undefined, l.matched);
    for (const r of s.right) this.right.add(r.key, r.x, r.ts, undefined, true);
    this.rearm();
  }
}

Stream.prototype.join = function (this: Stream<any>, other: Stream<any>, options: IntervalJoinOptions<any, any, any, JoinHow>) {
  return new IntervalJoinNode(this, other, intervalJoinSettings(options), options);
} as Stream<any>['join'];
