/**
 * The open windows of an event-time or processing-time window node, whatever they hold: which
 * windows an event time falls in (tumbling, hopping, session), which are due when the watermark
 * moves, which are past their allowed lateness and freed. Core `Stream` windows keep elements in
 * them, DataFrame windows aggregates; both share this bookkeeping.
 */
import { parseDuration, type Duration } from './duration.js';

/** The kinds of time window (each a size or a gap as a duration). */
export type TimeWindowSpec = { tumbling: Duration } | { hopping: Duration; slide: Duration } | { session: Duration };

/** A window spec in milliseconds; a session's `size` is its gap. */
export interface WindowShape {
  readonly kind: 'tumbling' | 'hopping' | 'session';
  readonly size: number;
  readonly slide: number;
  /** gcd(size, slide) (0 for sessions): event times in one pane [k·pane, (k+1)·pane) are in the same windows. */
  readonly pane: number;
}

export function windowShape(spec: TimeWindowSpec): WindowShape {
  if ('tumbling' in spec) {
    const size = parseDuration(spec.tumbling);
    return { kind: 'tumbling', size, slide: size, pane: size };
  }
  if ('hopping' in spec) {
    const size = parseDuration(spec.hopping);
    const slide = parseDuration(spec.slide);
    if (slide > size) throw new RangeError(`hopping window: slide (${slide} ms) must not exceed the size (${size} ms)`);
    return { kind: 'hopping', size, slide, pane: gcd(size, slide) };
  }
  if ('session' in spec) return { kind: 'session', size: parseDuration(spec.session), slide: 0, pane: 0 };
  throw new TypeError(`window: expected { tumbling }, { hopping, slide } or { session }, got ${JSON.stringify(spec)}`);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** One window: [start, end) of one key, what it holds, and how often it was emitted. */
export interface WindowEntry<B> {
  readonly key: unknown;
  start: number;
  end: number;
  content: B;
  /** Emissions so far (0 = never emitted); a late update re-emits with the next revision. */
  revision: number;
  /** Emitted since its last change. */
  fired: boolean;
  /** Creation order: windows of different keys with the same bounds are emitted in it. */
  readonly seq: number;
}

export interface WindowContent<B> {
  /** A new window's content (a session's bounds grow later). */
  create(start: number, end: number): B;
  /** Session merge: fold `from` into `into`. */
  merge(into: B, from: B): void;
  /** The window is gone (emitted for the last time or dropped): release what it holds. */
  free(content: B): void;
}

export class WindowBook<B> {
  private readonly byKey = new Map<unknown, WindowEntry<B>[]>();
  private count = 0;
  private created = 0;

  constructor(
    readonly shape: WindowShape,
    private readonly content: WindowContent<B>,
  ) {}

  get size(): number {
    return this.count;
  }

  /**
   * The windows of `key` that event time `ts` belongs to, created when missing; only windows that
   * are still live (`live(end)`: not past the allowed lateness). Empty means the element is late.
   */
  place(key: unknown, ts: number, live: (end: number) => boolean): WindowEntry<B>[] {
    const { kind, size, slide } = this.shape;
    if (kind === 'session') return this.placeSession(key, ts, live);
    const out: WindowEntry<B>[] = [];
    const last = Math.floor(ts / slide) * slide;
    for (let start = last; start > ts - size; start -= slide) {
      if (live(start + size)) out.push(this.findOrAdd(key, start, start + size));
    }
    return out.reverse();
  }

  private findOrAdd(key: unknown, start: number, end: number): WindowEntry<B> {
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    for (const w of list) if (w.start === start) return w;
    return this.add(list, key, start, end, this.content.create(start, end));
  }

  private add(list: WindowEntry<B>[], key: unknown, start: number, end: number, content: B): WindowEntry<B> {
    const w: WindowEntry<B> = { key, start, end, content, revision: 0, fired: false, seq: this.created++ };
    let i = list.length;
    while (i > 0 && list[i - 1].start > start) i--;
    list.splice(i, 0, w);
    this.count++;
    return w;
  }

  /** A session is [first ts, last ts + gap); an element within the gap of sessions joins and merges them. */
  private placeSession(key: unknown, ts: number, live: (end: number) => boolean): WindowEntry<B>[] {
    const gap = this.shape.size;
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    const touching = list.filter((w) => w.start <= ts + gap && ts <= w.end); // windows that meet merge, as in Flink
    if (touching.length === 0) return live(ts + gap) ? [this.add(list, key, ts, ts + gap, this.content.create(ts, ts + gap))] : [];
    const [into, ...rest] = touching;
    for (const w of rest) {
      this.content.merge(into.content, w.content);
      into.end = Math.max(into.end, w.end);
      into.revision = Math.max(into.revision, w.revision);
      list.splice(list.indexOf(w), 1);
      this.count--;
    }
    into.start = Math.min(into.start, ts);
    into.end = Math.max(into.end, ts + gap);
    return [into];
  }

  /** Windows whose end the watermark reached and that changed since last emitted, by end then start. */
  due(watermark: number): WindowEntry<B>[] {
    const out: WindowEntry<B>[] = [];
    for (const list of this.byKey.values()) for (const w of list) if (!w.fired && w.end <= watermark) out.push(w);
    return out.sort(byEnd);
  }

  /** Drop the windows for which `gone(w)` holds, releasing their content. */
  sweep(gone: (w: WindowEntry<B>) => boolean): void {
    for (const [key, list] of this.byKey) {
      const keep = list.filter((w) => {
        if (!gone(w)) return true;
        this.content.free(w.content);
        this.count--;
        return false;
      });
      if (keep.length === 0) this.byKey.delete(key);
      else if (keep.length < list.length) this.byKey.set(key, keep);
    }
  }

  /** The earliest end of a window not emitted yet (Infinity if none). */
  nextEnd(): number {
    let next = Infinity;
    for (const list of this.byKey.values()) for (const w of list) if (!w.fired && w.end < next) next = w.end;
    return next;
  }

  /** Every window, oldest end first (snapshots, end of input). */
  all(): WindowEntry<B>[] {
    return [...this.byKey.values()].flat().sort(byEnd);
  }

  /** Put back a window from a snapshot (in the order of `all()`, which keeps the emission order of ties). */
  restore(key: unknown, start: number, end: number, content: B, revision: number, fired: boolean): void {
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    const w = this.add(list, key, start, end, content);
    w.revision = revision;
    w.fired = fired;
  }

  clear(): void {
    this.sweep(() => true);
  }
}

function byEnd<B>(a: WindowEntry<B>, b: WindowEntry<B>): number {
  return a.end - b.end || a.start - b.start || a.seq - b.seq;
}
