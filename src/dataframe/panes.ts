/**
 * Pane-based (sliced) hopping windows, as Flink slices them: a hopping window of size S and slide
 * L is a union of panes of gcd(S, L). Each row is added to the one pane its event time falls in,
 * and a window's result is its S / gcd panes' partial aggregates merged (`combine`), instead of
 * each row being added to S / L windows.
 *
 * A pane lives while a window that covers it does: each window counts as a reference to its panes
 * from its creation (`create`) until the book frees it (`free`).
 */
import type * as arrow from 'apache-arrow';
import type { WindowBook, WindowContent, WindowEntry } from '../core/window-book.js';
import type { GroupedAggregation } from './grouped.js';
import { scanTimes, type AggContent, type Placement } from './time-window-state.js';
import { toFloat64, type Frame } from './frame.js';

/** A hopping window's content: its bounds (its aggregate lives in the panes it covers). */
export interface PaneWindow {
  readonly start: number;
  readonly end: number;
  /** Its aggregate, fixed once the window takes no more rows while its panes still can (see PaneAggregateNode). */
  sealed?: GroupedAggregation;
}

interface Pane {
  /** Windows covering this pane that are still in the book. */
  refs: number;
  /** Null until a row falls into it. */
  agg: GroupedAggregation | null;
}

export class PaneStore implements WindowContent<PaneWindow> {
  private readonly panes = new Map<number, Pane>();

  constructor(
    readonly width: number,
    readonly agg: AggContent,
  ) {}

  /** The start of the pane event time `t` falls in. */
  paneOf(t: number): number {
    return Math.floor(t / this.width) * this.width;
  }

  create(start: number, end: number): PaneWindow {
    for (let p = start; p < end; p += this.width) {
      const pane = this.panes.get(p);
      if (pane === undefined) this.panes.set(p, { refs: 1, agg: null });
      else pane.refs++;
    }
    return { start, end };
  }

  merge(): void {
    throw new Error('hopping windows do not merge (sessions keep rows)');
  }

  free(w: PaneWindow): void {
    for (let p = w.start; p < w.end; p += this.width) {
      const pane = this.panes.get(p)!;
      if (--pane.refs > 0) continue;
      pane.agg?.release();
      this.panes.delete(p);
    }
    w.sealed?.release();
  }

  /** Add `rows` of an aligned `frame` (null: all of them) to the pane starting at `start` (a live window covers it). */
  add(start: number, frame: Frame, rows: readonly number[] | null, seq0: number): void {
    const pane = this.panes.get(start)!;
    this.agg.add((pane.agg ??= this.agg.create()), frame, rows, seq0);
  }

  /** A window's aggregate: its panes merged (release it when done). */
  combine(w: PaneWindow): GroupedAggregation {
    const out = this.agg.create();
    const aggs: GroupedAggregation[] = [];
    for (let p = w.start; p < w.end; p += this.width) {
      const agg = this.panes.get(p)?.agg;
      if (agg) aggs.push(agg);
    }
    out.grouper.reserve(aggs.reduce((n, a) => n + a.grouper.nGroups, 0));
    for (const agg of aggs) out.mergeFrom(agg);
    return out;
  }

  /** Panes holding rows, by start (snapshots). */
  filled(): { start: number; agg: GroupedAggregation }[] {
    const out: { start: number; agg: GroupedAggregation }[] = [];
    for (const [start, pane] of this.panes) if (pane.agg !== null) out.push({ start, agg: pane.agg });
    return out.sort((a, b) => a.start - b.start);
  }

  /** Put back a pane's rows from a snapshot (after its windows were restored, which made the pane). */
  restorePane(start: number, table: arrow.Table): void {
    const pane = this.panes.get(start);
    if (pane === undefined) throw new Error(`restore: pane [${start}, ${start + this.width}) is in no window of the state`);
    const agg = this.agg.create();
    agg.restoreStats(table);
    pane.agg = agg;
  }
}

/** Where a batch's rows go: the windows they change (`placed`, rows unused) and each pane's rows (null: all). */
export interface PanePlacement extends Placement<PaneWindow> {
  panes: { start: number; rows: number[] | null }[];
}

/**
 * Place each row of `frame` into its pane, if a live window covers it (else it is late). The
 * windows are looked up once per run of rows in one pane.
 */
export function placePanes(book: WindowBook<PaneWindow>, store: PaneStore, frame: Frame, on: string, live: (end: number) => boolean): PanePlacement {
  const byPane = new Map<number, number[]>();
  const changed = new Set<WindowEntry<PaneWindow>>();
  let pane = NaN;
  let rows: number[] | undefined;
  const times = scanTimes(toFloat64(frame.col(on)), (i, t) => {
    const p = store.paneOf(t);
    if (p !== pane) {
      pane = p;
      const windows = book.place(null, t, live);
      for (const w of windows) changed.add(w);
      rows = undefined;
      if (windows.length > 0) {
        rows = byPane.get(p);
        if (rows === undefined) byPane.set(p, (rows = []));
      }
    }
    rows?.push(i);
    return rows !== undefined;
  });
  const panes = [...byPane].map(([start, r]) => ({ start, rows: r.length === frame.length ? null : r }));
  return { placed: [...changed].map((window) => ({ window, rows: null })), panes, ...times };
}
