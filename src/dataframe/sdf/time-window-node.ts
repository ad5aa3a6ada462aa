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
import { AggContent, placeRows, rowContent, rowKeyOf, rowsOf, type Placement, type RowBucket } from '../time-window-state.js';

export interface FrameWindowSettings {
  spec: TimeWindowSpec;
  /** Event-time column; omitted: processing time. */
  on?: string;
  options: TimeWindowOptions;
  schema: Schema;
  dicts: Record<string, Dictionary>;
}

/** A window as the state table's metadata lists it (`rows`: its rows in the table). */
export interface WindowMeta {
  key: unknown;
  start: number;
  end: number;
  revision: number;
  fired: boolean;
  rows: number;
}

/** What every DataFrame time window does with a batch: place its rows, add them, emit and free windows. */
export abstract class FrameWindowNode<B, P extends Placement<B>> extends TimeWindowBase<Frame, B, Frame> implements Stateful<arrow.Table> {
  protected rowsSeen = 0;

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

  /** Which live windows the rows of `batch` go to (`frame`: the batch without a processing-time column). */
  protected abstract place(batch: Frame, on: string, live: (end: number) => boolean, frame: Frame): P;
  /** Add the placed rows of the (aligned) batch; `seq0` numbers its first row. */
  protected abstract addPlaced(placement: P, frame: Frame, seq0: number): void;
  /** One window's result rows (without the window columns). */
  protected abstract result(window: WindowEntry<B>): Frame;
  abstract snapshot(): arrow.Table;
  abstract restore(table: arrow.Table): void;

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
      placement = this.place(batch, on, this.liveAt(wm), frame);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const seq0 = this.rowsSeen;
    this.rowsSeen += frame.length;
    this.addPlaced(placement, frame, seq0);
    for (const { window } of placement.placed) window.fired = false;
    if (placement.maxTs > -Infinity) this.observe(sourcePartition(meta), placement.maxTs);
    const late = placement.late.length === 0 ? undefined : this.sendLate(frame.take(placement.late), null, placement.lateMaxTs, wm, meta);
    const settled = this.settle(placement.placed.map((p) => p.window), meta);
    return joinEmitted([late, settled]);
  }

  /** One frame per window, so what follows (a top-n, a filter against the frame's max) sees one window at a time. */
  protected emitWindows(windows: WindowEntry<B>[], meta: Meta): Emitted {
    const results: Emitted[] = [];
    for (const w of windows) {
      const r = this.result(w);
      const bound = (v: number): Column => ({ dtype: 'timestamp', data: new Float64Array(r.length).fill(v) });
      results.push(this.emit(new Frame({ window_start: bound(w.start), window_end: bound(w.end), ...r.columns }, r.length), meta));
    }
    return joinEmitted(results);
  }

  /** The windows as the state's metadata lists them, `rows(i)` being window i's rows in the table. */
  protected windowMetas(windows: WindowEntry<B>[], rows: (i: number) => number): WindowMeta[] {
    return windows.map((w, i) => ({ key: w.key, start: w.start, end: w.end, revision: w.revision, fired: w.fired, rows: rows(i) }));
  }

  /** The state's metadata, checked to be a time window state of `version` (a layout this node reads). */
  protected stateMeta(table: arrow.Table, version: number, layout: string): Record<string, unknown> {
    const meta = readMeta(table);
    if (meta.kind !== 'timeWindow') throw new Error(`restore ${this.id}: expected a timeWindow state, got ${String(meta.kind)}`);
    if (meta.version !== version) {
      const held = meta.version === 2 ? 'hopping panes (version 2)' : `one table per window (version ${String(meta.version)})`;
      throw new Error(`restore ${this.id}: the state holds ${held}, but this node keeps ${layout} (version ${version}); restore it with the streamframe version that wrote it, or start this node afresh`);
    }
    return meta;
  }
}

/** Windows that each hold their own content, checkpointed as one table per window (state version 1). */
abstract class WindowTablesNode<B> extends FrameWindowNode<B, Placement<B>> {
  /** Rows' window key (sessions are per key); undefined: one set of windows for all rows. */
  protected abstract keyOf(frame: Frame): ((row: number) => unknown) | undefined;
  /** Add `rows` of the (aligned) batch, null meaning all of them. */
  protected abstract add(bucket: B, frame: Frame, rows: number[] | null, seq0: number): void;
  protected abstract bucketTable(bucket: B): arrow.Table;
  protected abstract restoreBucket(table: arrow.Table): B;
  /** The state table of a window without rows (its columns when there is no window). */
  protected abstract emptyTable(): arrow.Table;

  protected place(batch: Frame, on: string, live: (end: number) => boolean, frame: Frame): Placement<B> {
    return placeRows(this.book, batch, on, live, this.keyOf(frame));
  }

  protected addPlaced(placement: Placement<B>, frame: Frame, seq0: number): void {
    for (const { window, rows } of placement.placed) this.add(window.content, frame, rows, seq0);
  }

  snapshot(): arrow.Table {
    const windows = this.book.all();
    const tables = windows.map((w) => withWindowColumns(this.bucketTable(w.content), w.start, w.end));
    const metas = this.windowMetas(windows, (i) => tables[i].numRows);
    const table = concatStates(tables.length === 0 ? [withWindowColumns(this.emptyTable(), 0, 0)] : tables);
    return withMeta(table, { kind: 'timeWindow', version: 1, rowsSeen: this.rowsSeen, clock: this.clockState(), windows: metas });
  }

  restore(table: arrow.Table): void {
    const meta = this.stateMeta(table, 1, 'one table per window');
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

/**
 * Windows' (or panes') state tables as one, every column nullable: a key column without nulls in
 * the first window would otherwise be declared non-nullable, and Parquet refuses a later null.
 */
export function concatStates(tables: arrow.Table[]): arrow.Table {
  const schema = new arrow.Schema(tables[0].schema.fields.map((f) => f.clone({ nullable: true })));
  return new arrow.Table(schema, tables.flatMap((t) => t.batches.map((b) => new arrow.RecordBatch(schema, b.data))));
}

/** `t` with two leading columns holding `start` and `end` on every row (window or pane bounds). */
export function withWindowColumns(t: arrow.Table, start: number, end: number, names: readonly [string, string] = ['window_start', 'window_end']): arrow.Table {
  const n = t.numRows;
  const vecs: Record<string, arrow.Vector> = {
    [names[0]]: arrow.makeVector(new Float64Array(n).fill(start)),
    [names[1]]: arrow.makeVector(new Float64Array(n).fill(end)),
  };
  for (const f of t.schema.fields) vecs[f.name] = t.getChild(f.name)!;
  return new arrow.Table(vecs);
}

/** Tumbling or hopping windows aggregated incrementally (groupby(...).agg(...) on a window). */
export class WindowAggregateNode extends WindowTablesNode<GroupedAggregation> {
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
  protected result(w: WindowEntry<GroupedAggregation>): Frame {
    return w.content.result(true);
  }
  protected bucketTable(g: GroupedAggregation): arrow.Table {
    return g.snapshotStats({});
  }
  protected emptyTable(): arrow.Table {
    return this.agg.emptyTable();
  }
  protected restoreBucket(table: arrow.Table): GroupedAggregation {
    const g = this.agg.create();
    g.restoreStats(table);
    return g;
  }
}

/** Windows that keep their rows: sessions (per key), and outputs computed from all rows at once. */
export class WindowRowsNode extends WindowTablesNode<RowBucket> {
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
  protected result(w: WindowEntry<RowBucket>): Frame {
    return this.compute(this.rows(w.content));
  }
  private rows(b: RowBucket): Frame {
    return Frame.concat(b.parts, this.settings.schema, this.settings.dicts);
  }
  protected bucketTable(b: RowBucket): arrow.Table {
    return toArrow(this.rows(b));
  }
  protected emptyTable(): arrow.Table {
    return toArrow(Frame.empty(this.settings.schema, this.settings.dicts));
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
    const r = g.result(true);
    g.release();
    return r;
  };
}
