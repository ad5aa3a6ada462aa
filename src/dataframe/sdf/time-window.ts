/**
 * `sdf.window({ tumbling: '10s', on: 'ts' })`, `{ hopping: '10s', slide: '2s', on }`,
 * `{ session: '30s', on }`: windows on event time (column `on`) or, without `on`, processing time.
 *
 * ```ts
 * const w = sdf.window({ tumbling: '10s', on: 'ts', outOfOrder: '2s', lateness: '5s' });
 * w.groupby('k').agg({ v: ['sum', 'max'] });  // window_start, window_end, k, v_sum, v_max per closed window
 * w.filter((rows) => rows.col('v').eq(rows.col('v').max())); // the rows holding their window's max
 * w.late.stream.sink(...);                     // rows too late for any window
 * ```
 * Aggregations of tumbling and hopping windows are incremental (state: one table per open
 * window, only its keys); sessions (per groupby key) and `filter`/`full` keep the window's rows.
 */
import { Stream } from '../../core/stream.js';
import type { TimeWindowSpec } from '../../core/window-book.js';
import type { LateElement, TimeWindowOptions } from '../../core/nodes/time-window-base.js';
import { Frame, type Schema } from '../frame.js';
import { col, type Expr } from '../expr.js';
import { filterFrame } from '../filter.js';
import type { AggOp } from '../aggregator.js';
import { normalizeAggs, type AggSpec } from '../grouped.js';
import { GroupBy, type GroupedSeries } from './groupby.js';
import type { DataFrame } from './dataframe.js';
import { PaneAggregateNode } from './pane-window-node.js';
import { aggregateRows, frameWindowSettings, WindowAggregateNode, WindowRowsNode, type FrameWindowSettings } from './time-window-node.js';
import type { AggMap, AggResult, Cols, NodeOptions, Simplify } from './types.js';

export type TimeWindowKind = { tumbling: string | number } | { hopping: string | number; slide: string | number } | { session: string | number };
/** A time window of a DataFrame: its kind and size, the event-time column (omit for processing time), and when windows close. */
export type TimeWindowOf<S extends Schema> = TimeWindowKind & { on?: Cols<S> } & Omit<TimeWindowOptions, 'name' | 'clock'>;

/** The columns every time-window result starts with. */
export type WindowBounds = { window_start: 'timestamp'; window_end: 'timestamp' };
/** A result DataFrame of a time window: the window bounds, then `R`. */
export type Windowed<R extends Schema> = DataFrame<Simplify<WindowBounds & R>>;

export function isTimeWindow(spec: object): spec is TimeWindowKind {
  return 'tumbling' in spec || 'hopping' in spec || 'session' in spec;
}

/** Column expressions over one window's rows; aggregates (`.max()`, ...) are the window's, repeated on every row. */
export interface WindowRows<S extends Schema> {
  col(name: Cols<S>): Expr;
}

export class TimeWindow<S extends Schema> {
  readonly kind: TimeWindowSpec;
  /** Rows that came after every window they belong to was closed for good (never silently dropped). */
  readonly late: DataFrame<S>;
  private readonly lateRows: Stream<Frame>;

  constructor(
    readonly df: DataFrame<S>,
    readonly spec: TimeWindowOf<S>,
  ) {
    this.kind = 'tumbling' in spec ? { tumbling: spec.tumbling } : 'hopping' in spec ? { hopping: spec.hopping, slide: spec.slide } : { session: spec.session };
    this.lateRows = new Stream<Frame>({ clock: df.stream.clock });
    this.late = df.derive(this.lateRows, df.schema);
    frameWindowSettings(this.settings()); // check the spec now, not at the first aggregation
  }

  private settings(options: NodeOptions = {}): FrameWindowSettings {
    const { on, tumbling: _t, hopping: _h, slide: _s, session: _g, ...rest } = this.spec as TimeWindowOf<S> & Record<string, unknown>;
    const { df } = this;
    return { spec: this.kind, on, options: { ...(rest as TimeWindowOptions), clock: df.stream.clock, name: options.name }, schema: df.schema, dicts: df.dicts };
  }

  groupby<const K extends Cols<S>>(by: K | readonly K[], options: { dropna?: boolean } = {}): GroupBy<S, K, WindowBounds> {
    return new GroupBy<S, K, WindowBounds>(this.df, typeof by === 'string' ? [by] : by, this, options.dropna ?? true);
  }

  /** One column's aggregations per window: `.sum()`, `.max()`, ... */
  col<C extends Cols<S>>(column: C): GroupedSeries<S, never, C, WindowBounds> {
    return new GroupBy<S, never, WindowBounds>(this.df, [], this, true).col(column);
  }

  agg<const A extends AggMap<S>>(aggs: A, options?: NodeOptions): Windowed<AggResult<S, never, A>> {
    return this.aggregate([], normalizeAggs(aggs as Record<string, AggOp | AggOp[]>), true, options) as DataFrame<any>;
  }

  /** Aggregations per window (and per key): the node behind `groupby(...).agg(...)` on this window. */
  aggregate(by: readonly string[], specs: AggSpec[], dropna: boolean, options: NodeOptions = {}): DataFrame<Schema> {
    const grouped = { schema: this.df.schema, dicts: this.df.dicts, by: [...by], aggs: specs, dropna };
    const described = { by, aggs: specs, dropna };
    if ('session' in this.kind) return this.rows(by, aggregateRows(grouped), described, options);
    const settings = this.settings(options);
    const node = 'hopping' in this.kind ? new PaneAggregateNode(this.df.stream, settings, grouped, described) : new WindowAggregateNode(this.df.stream, settings, grouped, described);
    return this.finish(node, aggregateRows(grouped)(this.df.empty()).schema, options);
  }

  /** Per window, what `compute` makes of all its rows (sessions: the rows of one key's session). */
  rows(by: readonly string[], compute: (rows: Frame) => Frame, described: Record<string, unknown>, options: NodeOptions = {}): DataFrame<Schema> {
    const node = new WindowRowsNode(this.df.stream, this.settings(options), by, compute, described);
    return this.finish(node, compute(this.df.empty()).schema, options);
  }

  /** Per window at close, its rows where `mask(rows)` holds: compare with the window's own aggregates (NEXMark Q7). */
  filter(mask: (rows: WindowRows<S>) => Expr, options?: NodeOptions): Windowed<S> {
    const e = mask({ col: (name) => col(name) });
    const dt = e.evaluate(this.df.empty()).dtype;
    if (dt !== 'bool') throw new TypeError(`window filter: the mask ${e.label} is ${dt}, not bool`);
    return this.rows([], (rows) => filterFrame(rows, e), { op: 'filter', mask: e.label }, options) as DataFrame<any>;
  }

  /** Each window's rows when it closes. */
  full(options?: NodeOptions): Windowed<S> {
    return this.rows([], (rows) => rows, { op: 'full' }, options) as DataFrame<any>;
  }

  private finish(node: WindowAggregateNode | PaneAggregateNode | WindowRowsNode, schema: Schema, options: NodeOptions): DataFrame<Schema> {
    if (options.start !== undefined) node.restore(options.start);
    node.late.map((l: LateElement<Frame>) => l.element).connect(this.lateRows);
    const out: Schema = { window_start: 'timestamp', window_end: 'timestamp', ...schema };
    return this.df.derive(node, out);
  }
}
