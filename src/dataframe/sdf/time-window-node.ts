/**
 * DataFrame tumbling, hopping and session windows on event time (a timestamp or numeric column)
 * or processing time. Each window that closes (or, emit 'current', changes) is emitted as one frame:
 * `window_start`, `window_end`, then its result columns.
 *
 * Checkpoint: one Arrow table of every open window's state (aggregation statistics or rows) with
 * its `window_start` and `window_end` columns; the windows' revisions, the watermark and the idle
 * timer in the table's metadata.
 */
import * as arrow from 'apache-arrow';
import { joinEmitted, type Emitted, type Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import type { Stream } from '../../core/stream.js';
import { sourcePartition } from '../../core/watermark.js';
import type { TimeWindowSpec, WindowContent, WindowEntry } from '../../core/window-book.js';
import { TimeWindowBase, timeWindowSettings, type TimeWindowClockState, type TimeWindowOptions, type TimeWindowSettings } from '../../core/nodes/time-window-base.js';
import { alignDicts, Frame, type Column, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { GroupedAggregation, readMeta, withMeta, type GroupedOptions } from '../grouped.js';
import { toArrow } from '../convert.js';
import { Ingestor } from '../ingest.js';
import { AggContent, placeRows, rowContent, rowKeyOf, rowsOf, type RowBucket } from '../time-window-state.js';

export interface FrameWindowSettings {
  spec: TimeWindowSpec;
  /** Event-time column; omitted: processing time. */
  on?: string;
  options: TimeWindowOptions;
  schema: Schema;
  dicts: Record<string, Dictionary>;
}

interface WindowMeta {
  key: unknown;
  start: number;
  end: number;
  revision: number;
  fired: boolean;
  rows: number;
}

const WINDOW_COLS = ['window_start', 'window_end'] as const;

abstract class FrameWindowNode<B> extends TimeWindowBase<Frame, B, Frame> implements Stateful<arrow.Table> {
  private rowsSeen = 0;

  constructor(
    upstream: Stream<Frame>,
    readonly settings: FrameWindowSettings,
    content: WindowContent<B>,
    private readonly described: Record<string, unknown>,
  ) {
    super(upstream, frameWindowSettings(settings), settings.options, content);
  }

  override params(): Record<string, unknown> {
    return { ...super.params(), on: this.settings.on ?? null, ...this.described };
  }

  /** Rows' window key (sessions are per key); undefined: one set of windows for all rows. */
  protected abstract keyOf(frame: Frame): ((row: number) => unknown) | undefined;
  /** Add `rows` of the (aligned) batch, null meaning all of them. */
  protected abstract add(bucket: B, frame: Frame, rows: number[] | null, seq0: number): void;
  /** One window's result rows (without the window columns). */
  protected abstract result(bucket: B): Frame;
  protected abstract bucketTable(bucket: B): arrow.Table;
  protected abstract restoreBucket(table: arrow.Table): B;

  override update(x: Frame, meta: Meta): Emitted {
    this.throwIfFailed();
    const frame = alignDicts(x, this.settings.dicts);
    const wm = this.watermark;
    let on = this.settings.on;
    let batch = frame;
    if (on === undefined) {
      on = '__now';
      batch = frame.withColumns({ [on]: { dtype: 'timestamp', data: new Float64Array(frame.length).fill(this.clock.now()) } });
    }
    let placement;
    try {
      placement = placeRows(this.book, batch, on, this.liveAt(wm), this.keyOf(frame));
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const seq0 = this.rowsSeen;
    this.rowsSeen += frame.length;
    for (const { window, rows } of placement.placed) {
      this.add(window.content, frame, rows, seq0);
      window.fired = false;
    }
    if (placement.maxTs > -Infinity) this.observe(sourcePartition(meta), placement.maxTs);
    const late = placement.late.length === 0 ? undefined : this.sendLate(frame.take(placement.late), null, placement.lateMaxTs, wm, meta);
    const settled = this.settle(placement.placed.map((p) => p.window), meta);
    return joinEmitted([late, settled]);
  }

  /** One frame per window, so what follows (a top-n, a filter against the frame's max) sees one window at a time. */
  protected emitWindows(windows: WindowEntry<B>[], meta: Meta): Emitted {
    const results: Emitted[] = [];
    for (const w of windows) {
      const r = this.result(w.content);
      const bound = (v: number): Column => ({ dtype: 'timestamp', data: new Float64Array(r.length).fill(v) });
      results.push(this.emit(new Frame({ window_start: bound(w.start), window_end: bound(w.end), ...r.columns }, r.length), meta));
    }
    return joinEmitted(results);
  }

  snapshot(): arrow.Table {
    const windows = this.book.all();
    const tables = windows.map((w) => withWindowColumns(this.bucketTable(w.content), w.start, w.end));
    const metas: WindowMeta[] = windows.map((w, i) => ({ key: w.key, start: w.start, end: w.end, revision: w.revision, fired: w.fired, rows: tables[i].numRows }));
    const table = tables.length === 0 ? withWindowColumns(this.bucketTable(this.emptyBucket()).slice(0, 0), 0, 0) : tables.reduce((a, b) => a.concat(b));
    return withMeta(table, { kind: 'timeWindow', version: 1, rowsSeen: this.rowsSeen, clock: this.clockState(), windows: metas });
  }

  protected abstract emptyBucket(): B;

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'timeWindow') throw new Error(`restore ${this.id}: expected a timeWindow state, got ${String(meta.kind)}`);
    this.book.clear();
    let offset = 0;
    for (const w of meta.windows as WindowMeta[]) {
      this.book.restore(w.key, w.start, w.end, this.restoreBucket(table.slice(offset, offset + w.rows)), w.revision, w.fired);
      offset += w.rows;
    }
    this.rowsSeen = meta.rowsSeen as number;
    this.restoreClock(meta.clock as TimeWindowClockState);
  }
}

/** Check a DataFrame window's settings (the event-time column, durations, options) and convert them. */
export function frameWindowSettings(s: FrameWindowSettings): TimeWindowSettings {
  if (s.on !== undefined) {
    const dt = s.schema[s.on];
    if (dt !== 'timestamp' && dt !== 'float64' && dt !== 'int32') {
      throw new Error(`window on "${s.on}": ${dt === undefined ? `no such column (columns: ${Object.keys(s.schema).join(', ')})` : `column is ${dt}, not a timestamp or number`}`);
    }
  }
  return timeWindowSettings(s.spec, s.on !== undefined, s.options);
}

function withWindowColumns(t: arrow.Table, start: number, end: number): arrow.Table {
  const n = t.numRows;
  const vecs: Record<string, arrow.Vector> = {
    [WINDOW_COLS[0]]: arrow.makeVector(new Float64Array(n).fill(start)),
    [WINDOW_COLS[1]]: arrow.makeVector(new Float64Array(n).fill(end)),
  };
  for (const f of t.schema.fields) vecs[f.name] = t.getChild(f.name)!;
  return new arrow.Table(vecs);
}

/** Tumbling or hopping windows aggregated incrementally (groupby(...).agg(...) on a window). */
export class WindowAggregateNode extends FrameWindowNode<GroupedAggregation> {
  private readonly agg: AggContent;

  constructor(upstream: Stream<Frame>, settings: FrameWindowSettings, grouped: GroupedOptions, described: Record<string, unknown>) {
    const agg = new AggContent(grouped);
    super(upstream, settings, agg, described);
    this.agg = agg;
  }
  override get kind(): string {
    return `sdf${this.book.shape.kind[0].toUpperCase()}${this.book.shape.kind.slice(1)}WindowAgg`;
  }
  protected keyOf(): undefined {
    return undefined;
  }
  protected add(g: GroupedAggregation, frame: Frame, rows: number[] | null, seq0: number): void {
    this.agg.add(g, frame, rows, seq0);
  }
  protected result(g: GroupedAggregation): Frame {
    return g.result(true);
  }
  protected bucketTable(g: GroupedAggregation): arrow.Table {
    return g.snapshotStats({});
  }
  protected emptyBucket(): GroupedAggregation {
    return this.agg.create();
  }
  protected restoreBucket(table: arrow.Table): GroupedAggregation {
    const g = this.agg.create();
    g.restoreStats(table);
    return g;
  }
}

/** Windows that keep their rows: sessions (per key), and outputs computed from all rows at once. */
export class WindowRowsNode extends FrameWindowNode<RowBucket> {
  private readonly ingestor: Ingestor;

  constructor(
    upstream: Stream<Frame>,
    settings: FrameWindowSettings,
    private readonly by: readonly string[],
    private readonly compute: (rows: Frame) => Frame,
    described: Record<string, unknown>,
  ) {
    super(upstream, settings, rowContent, described);
    this.ingestor = new Ingestor(settings.schema, { dicts: settings.dicts, extra: 'drop' });
  }
  override get kind(): string {
    return `sdf${this.book.shape.kind[0].toUpperCase()}${this.book.shape.kind.slice(1)}Window`;
  }
  protected keyOf(frame: Frame): ((row: number) => unknown) | undefined {
    return this.book.shape.kind === 'session' && this.by.length > 0 ? rowKeyOf(frame, this.by) : undefined;
  }
  protected add(b: RowBucket, frame: Frame, rows: number[] | null): void {
    b.parts.push(rowsOf(frame, rows));
  }
  protected result(b: RowBucket): Frame {
    return this.compute(this.rows(b));
  }
  private rows(b: RowBucket): Frame {
    return Frame.concat(b.parts, this.settings.schema, this.settings.dicts);
  }
  protected bucketTable(b: RowBucket): arrow.Table {
    return toArrow(this.rows(b));
  }
  protected emptyBucket(): RowBucket {
    return rowContent.create();
  }
  protected restoreBucket(table: arrow.Table): RowBucket {
    return { parts: table.numRows === 0 ? [] : [this.ingestor.fromArrow(table)] };
  }
}

/** A window's aggregation over its rows, computed at once (sessions). */
export function aggregateRows(opts: GroupedOptions): (rows: Frame) => Frame {
  return (rows) => {
    const g = new GroupedAggregation(opts);
    const f = g.align(rows);
    g.add(f, g.assign(f), 0);
    return g.result(true);
  };
}
