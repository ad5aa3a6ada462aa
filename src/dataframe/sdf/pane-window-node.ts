/**
 * Hopping windows aggregated by panes (`panes.ts`): each row is added once, to the pane of
 * gcd(size, slide) it falls in, and a window's result merges its panes when it is emitted.
 * The panes' key space is derived state: it is rebuilt from the panes, not checkpointed.
 *
 * Checkpoint (state version 2): one table of every pane holding rows, each pane's groups with
 * `pane_start` and `pane_end` columns, then the keys, the pane's partial results under their
 * output names, and the accumulators; the windows (bounds, revisions) and the clock in the
 * metadata. A version-1 state (one table per hopping window, written before panes) cannot be
 * split into panes and is refused with an error that says so.
 */
import type * as arrow from 'apache-arrow';
import type { Stream } from '../../core/stream.js';
import type { WindowEntry } from '../../core/window-book.js';
import type { TimeWindowClockState } from '../../core/nodes/time-window-base.js';
import type { Frame } from '../frame.js';
import type { ColumnReader } from '../demand.js';
import { withMeta, type GroupedOptions } from '../grouped.js';
import { PaneStore, placePanes, type PanePlacement, type PaneWindow } from '../panes.js';
import { AggContent } from '../time-window-state.js';
import { concatStates, FrameWindowNode, frameWindowSettings, withWindowColumns, type FrameWindowSettings, type WindowMeta } from './time-window-node.js';

const PANE_COLS = ['pane_start', 'pane_end'] as const;

interface PaneMeta {
  start: number;
  rows: number;
}

export class PaneAggregateNode extends FrameWindowNode<PaneWindow, PanePlacement> implements ColumnReader {
  readonly panes: PaneStore;

  constructor(upstream: Stream<Frame>, settings: FrameWindowSettings, grouped: GroupedOptions, described: Record<string, unknown>) {
    const panes = new PaneStore(frameWindowSettings(settings).shape.pane, new AggContent(grouped, false));
    super(upstream, settings, panes, described);
    this.panes = panes;
  }

  override get kind(): string {
    return 'sdfHoppingWindowAgg';
  }

  /**
   * Every column (late rows go on whole), but it keeps none of a batch's arrays: rows are folded
   * into the panes' statistics and late rows copied out. So ingest may hand it the batch's own
   * typed arrays instead of copies (the copies, fresh memory each batch, were a tenth of Q5).
   */
  get reads(): readonly string[] {
    return Object.keys(this.settings.schema);
  }

  protected place(batch: Frame, on: string, live: (end: number) => boolean): PanePlacement {
    const placement = placePanes(this.book, this.panes, batch, on, live);
    this.sealDead(live);
    return placement;
  }

  /**
   * A window the watermark moved past its lateness between two batches (an idle partition, a
   * processing-time gap) is not emitted or freed yet, but takes no more rows: fix its aggregate
   * now, as the panes it shares with live windows may still grow. This batch's settle emits and
   * frees it, so no snapshot sees a sealed window.
   */
  private sealDead(live: (end: number) => boolean): void {
    if (live(this.book.nextEnd())) return;
    for (const w of this.book.all()) if (!w.fired && !live(w.end)) w.content.sealed ??= this.panes.result(w.content);
  }

  protected addPlaced(placement: PanePlacement, frame: Frame, seq0: number): void {
    for (const { start, rows } of placement.panes) this.panes.add(start, frame, rows, seq0);
  }

  protected result(w: WindowEntry<PaneWindow>): Frame {
    return w.content.sealed ?? this.panes.result(w.content);
  }

  snapshot(): arrow.Table {
    const width = this.panes.width;
    const filled = this.panes.filled();
    const tables = filled.map(({ start, agg }) => withWindowColumns(agg.snapshotStats({}), start, start + width, PANE_COLS));
    const table = concatStates(tables.length === 0 ? [withWindowColumns(this.panes.agg.emptyTable(), 0, 0, PANE_COLS)] : tables);
    const windows = this.book.all();
    const panes: PaneMeta[] = filled.map(({ start }, i) => ({ start, rows: tables[i].numRows }));
    const meta = { kind: 'timeWindow', version: 2, pane: width, rowsSeen: this.rowsSeen, clock: this.clockState(), windows: this.windowMetas(windows, () => 0), panes };
    return withMeta(table, meta);
  }

  restore(table: arrow.Table): void {
    const meta = this.stateMeta(table, 2, 'hopping panes');
    if (meta.pane !== this.panes.width) throw new Error(`restore ${this.id}: the state's panes are ${String(meta.pane)} ms wide, this window's ${this.panes.width} ms`);
    this.book.clear();
    for (const w of meta.windows as WindowMeta[]) this.book.restore(w.key, w.start, w.end, this.panes.create(w.start, w.end), w.revision, w.fired);
    let offset = 0;
    for (const p of meta.panes as PaneMeta[]) {
      this.panes.restorePane(p.start, table.slice(offset, offset + p.rows));
      offset += p.rows;
    }
    this.rowsSeen = meta.rowsSeen as number;
    this.restoreClock(meta.clock as TimeWindowClockState);
  }
}
