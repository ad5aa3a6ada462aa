/**
 * What every tumbling, hopping and session window node does, whatever its windows hold: the
 * watermark, when windows are emitted (`final`: once when the watermark passes their end, again
 * for each late update within the allowed lateness; `current`: after every update), when they are
 * freed, the late stream, closing on processing time when the input goes quiet, and the timers for
 * all of it. Subclasses place elements (or rows) into windows and say what a window emits.
 */
import { parseDuration, parseDurationOrZero, type Duration } from '../duration.js';
import { joinEmitted, type Emitted, type Meta } from '../meta.js';
import { Stream, type Push, type StreamOptions } from '../stream.js';
import { WatermarkTracker, type WatermarkOptions, type WatermarkState } from '../watermark.js';
import { WindowBook, windowShape, type TimeWindowSpec, type WindowContent, type WindowEntry, type WindowShape } from '../window-book.js';

export interface TimeWindowOptions extends StreamOptions, WatermarkOptions {
  /** `final` (default): emit a window once when it closes; `current`: emit it after every update. */
  emit?: 'final' | 'current';
  /** Event time only: keep closed windows this long (in event time) so late elements update and re-emit them. */
  lateness?: Duration;
  /** Event time only: when no element arrived for this long (processing time), close every open window. */
  idleClose?: Duration;
}

/** What a window node sends to its `late` stream: an element that arrived after all its windows were gone. */
export interface LateElement<T> {
  element: T;
  key: unknown;
  eventTime: number;
  watermark: number;
  reason: string;
}

/** The state every time window checkpoints beside its windows. */
export interface TimeWindowClockState {
  watermark: WatermarkState;
  /** Processing time since the last element (for `idleClose`), null before the first. */
  quietFor: number | null;
}

const ignore: Push<unknown> = () => undefined;

/** A window's side output: in the graph (so its downstream nodes get ids and checkpoints), fed only by `sendLate`. */
export class LateStream<T> extends Stream<LateElement<T>> {
  override get kind(): string {
    return 'late';
  }
  protected override entry(): Push<any> {
    return ignore;
  }
}

/** Options checked and in milliseconds, before a node connects to its upstream. */
export interface TimeWindowSettings {
  shape: WindowShape;
  eventTime: boolean;
  emit: 'final' | 'current';
  latenessMs: number;
  idleCloseMs: number | undefined;
  watermark: WatermarkOptions;
}

export function timeWindowSettings(spec: TimeWindowSpec, eventTime: boolean, options: TimeWindowOptions): TimeWindowSettings {
  const emit = options.emit ?? 'final';
  if (emit !== 'final' && emit !== 'current') throw new RangeError(`window emit must be 'final' or 'current', got ${String(emit)}`);
  if (!eventTime && (options.lateness !== undefined || options.idleClose !== undefined || options.outOfOrder !== undefined)) {
    throw new RangeError('window: lateness, idleClose and outOfOrder need event time ({ on }); processing-time windows close on the clock');
  }
  return {
    shape: windowShape(spec),
    eventTime,
    emit,
    latenessMs: parseDurationOrZero(options.lateness ?? 0),
    idleCloseMs: options.idleClose === undefined ? undefined : parseDuration(options.idleClose),
    watermark: { outOfOrder: options.outOfOrder, idleTimeout: options.idleTimeout },
  };
}

export abstract class TimeWindowBase<In, B, Out> extends Stream<Out> {
  readonly book: WindowBook<B>;
  readonly tracker: WatermarkTracker;
  /** Elements too late for any window, with the reason and the watermark (never silently dropped). */
  readonly late: LateStream<In>;
  /** False: windows on processing time (the clock), which close on timers. */
  readonly eventTime: boolean;
  readonly emitMode: 'final' | 'current';
  readonly latenessMs: number;
  readonly idleCloseMs: number | undefined;
  private lastActivity: number | undefined;
  private readonly wake = this.wakeTimer((node) => node.background(() => node.onWake()));

  /** `settings` come from `timeWindowSettings`, evaluated before this connects to `upstream`. */
  constructor(upstream: Stream<any>, settings: TimeWindowSettings, options: StreamOptions, content: WindowContent<B>) {
    super(options, [upstream]);
    this.book = new WindowBook(settings.shape, content);
    this.tracker = new WatermarkTracker(settings.watermark);
    this.eventTime = settings.eventTime;
    this.emitMode = settings.emit;
    this.latenessMs = settings.latenessMs;
    this.idleCloseMs = settings.idleCloseMs;
    this.late = new LateStream<In>({ clock: this.clock }, [this]);
  }

  override params(): Record<string, unknown> {
    const { kind, size, slide } = this.book.shape;
    return {
      window: kind,
      size,
      slide,
      eventTime: this.eventTime,
      emit: this.emitMode,
      lateness: this.latenessMs,
      outOfOrder: this.tracker.outOfOrderMs,
      idleTimeout: Number.isFinite(this.tracker.idleTimeoutMs) ? this.tracker.idleTimeoutMs : null,
      idleClose: this.idleCloseMs ?? null,
    };
  }

  /** Event times at or below this are complete (processing time: the clock). */
  get watermark(): number {
    return this.eventTime ? this.tracker.current(this.clock.now()) : this.clock.now();
  }

  /** Whether a window ending at `end` still takes elements at this watermark. */
  protected liveAt(watermark: number): (end: number) => boolean {
    const lateness = this.latenessMs;
    return (end) => end + lateness > watermark;
  }

  /** Emit windows (their revision already counted), with the metadata of what triggered it. */
  protected abstract emitWindows(windows: WindowEntry<B>[], meta: Meta): Emitted;

  /** Record the event times of what just arrived from a source partition. */
  protected observe(partition: string, maxTs: number): void {
    const now = this.clock.now();
    if (this.eventTime) this.tracker.observe(partition, maxTs, now);
    this.lastActivity = now;
  }

  protected sendLate(element: In, key: unknown, eventTime: number, watermark: number, meta: Meta): Emitted {
    if (this.stats !== undefined) this.stats.lateElements++;
    const reason = `every window of event time ${eventTime} closed more than the allowed lateness (${this.latenessMs} ms) before the watermark ${watermark}`;
    return this.late.emit({ element, key, eventTime, watermark, reason }, meta);
  }

  /** After windows changed: emit the changed ones (current mode), then those the watermark closed; free the expired. */
  protected settle(changed: WindowEntry<B>[], meta: Meta): Emitted {
    const results: Emitted[] = [];
    if (this.emitMode === 'current' && changed.length > 0) results.push(this.emitNow(changed, meta));
    results.push(this.advance(meta));
    return joinEmitted(results);
  }

  private emitNow(windows: WindowEntry<B>[], meta: Meta): Emitted {
    for (const w of windows) {
      w.revision++;
      w.fired = true;
    }
    return this.emitWindows(windows, meta);
  }

  private advance(meta: Meta): Emitted {
    const wm = this.watermark;
    const due = this.book.due(wm);
    let r: Emitted;
    if (this.emitMode === 'final') r = due.length === 0 ? undefined : this.emitNow(due, meta);
    else for (const w of due) w.fired = true; // current mode emitted them with each update already
    const lateness = this.eventTime ? this.latenessMs : 0;
    this.book.sweep((w) => w.end + lateness <= wm);
    this.rearm();
    return r;
  }

  /** One timer for whatever comes first: a processing-time window's end, a partition going idle, idle close. */
  private rearm(): void {
    const now = this.clock.now();
    let at = Infinity;
    if (this.book.size > 0) {
      if (!this.eventTime) at = this.book.nextEnd();
      else {
        at = this.tracker.nextIdleAt(now);
        if (this.idleCloseMs !== undefined && this.lastActivity !== undefined && this.book.nextEnd() < Infinity) {
          at = Math.min(at, this.lastActivity + this.idleCloseMs);
        }
      }
    }
    this.wake.aim(this.upstreams.length === 0 ? Infinity : at, now);
  }

  private onWake(): Emitted {
    const now = this.clock.now();
    if (this.eventTime && this.idleCloseMs !== undefined && this.lastActivity !== undefined && now - this.lastActivity >= this.idleCloseMs) {
      // Quiet input: move the watermark past every open window so the last ones of a burst are emitted.
      let end = -Infinity;
      for (const w of this.book.all()) if (!w.fired && w.end > end) end = w.end;
      this.tracker.advanceTo(end);
    }
    return this.advance(undefined);
  }

  /** A finite source upstream is exhausted: flush, so the last windows of the input are emitted before the job's end. */
  override endOfInput(): Emitted {
    return this.flush();
  }

  /** End of input: emit every window not emitted yet, then free them all. */
  flush(): Emitted {
    const open = this.book.all().filter((w) => !w.fired);
    const r = open.length > 0 && this.emitMode === 'final' ? this.emitNow(open, undefined) : undefined;
    this.book.clear();
    this.rearm();
    return r;
  }

  protected clockState(): TimeWindowClockState {
    const now = this.clock.now();
    return { watermark: this.tracker.snapshot(now), quietFor: this.lastActivity === undefined ? null : now - this.lastActivity };
  }

  /** Restore the shared state; call after the subclass put its windows back into a cleared book. */
  protected restoreClock(s: TimeWindowClockState): void {
    const now = this.clock.now();
    this.tracker.restore(s.watermark, now);
    this.lastActivity = s.quietFor === null ? undefined : now - s.quietFor;
    this.rearm();
  }
}
