/**
 * `sdf.window({ n })` (the last n rows) and `sdf.window({ value: '10s', on: 'ts' })` (rows with
 * ts > max ts - 10 s; event time assumed non-decreasing, as in streamz). Aggregations emit the
 * aggregate over the current window after each batch; `full()` emits the window's rows.
 */
import type { Schema } from '../frame.js';
import type { WindowSpec } from '../window-state.js';
import { WindowState } from '../window-state.js';
import { WindowFrameNode } from './kernel-nodes.js';
import { GroupBy, keyColumns, type GroupedSeries } from './groupby.js';
import type { DataFrame } from './dataframe.js';
import type { AggMap, AggResult, Cols, NodeOptions, SeriesLike } from './types.js';
import type { Stream, StreamOptions } from '../../core/stream.js';
import { CustomAggregationNode, type Aggregation } from './custom-aggregation.js';

/** The last n rows, or the last `value` of time in column `on` (default: the index set by `setIndex`). */
export type WindowOptions<S extends Schema> = { n: number } | { value: string | number; on?: Cols<S> };

function indexFor(df: DataFrame<any>, value: string | number): string {
  if (df.indexColumn === undefined) throw new Error(`window({ value: ${JSON.stringify(value)} }) needs on: a timestamp column, or an index set with setIndex`);
  return df.indexColumn;
}

export class Window<S extends Schema> {
  readonly spec: WindowSpec;

  constructor(
    readonly df: DataFrame<S>,
    spec: WindowOptions<S>,
  ) {
    this.spec = 'n' in spec ? { n: spec.n } : { value: spec.value, on: spec.on ?? indexFor(df, spec.value) };
    new WindowState(this.spec, df.schema, df.dicts); // validate n / duration / on now
  }

  groupby<const K extends Cols<S>>(by: K | readonly K[], options?: { dropna?: boolean }): GroupBy<S, K>;
  /** Group the window by a column given as a Series, such as the index (`window.groupby(sdf.index)`). */
  groupby(by: SeriesLike, options?: { dropna?: boolean }): GroupBy<S, any>;
  groupby(by: Cols<S> | readonly Cols<S>[] | SeriesLike, options: { dropna?: boolean } = {}): GroupBy<S, any> {
    const keys = keyColumns(by);
    if (keys === undefined) throw new Error('window(...).groupby: give a column or the index; assign an expression as a column before the window');
    return new GroupBy<S, any>(this.df, keys, this.spec, options.dropna ?? true);
  }

  /** A column of the window: `.sum()`, `.mean()`, ... over the current window (one row). */
  col<C extends Cols<S>>(column: C): GroupedSeries<S, never, C> {
    return new GroupBy<S, never>(this.df, [], this.spec, true).col(column);
  }

  agg<const A extends AggMap<S>>(aggs: A, options?: NodeOptions): DataFrame<AggResult<S, never, A>> {
    return new GroupBy<S, never>(this.df, [], this.spec, true).agg(aggs, options);
  }

  /** Whole-window aggregations over the numeric columns, one row named by column (pandas' `df.sum()` of the window). */
  sum(options?: NodeOptions) {
    return this.df.aggAll('sum', options, this.spec);
  }
  mean(options?: NodeOptions) {
    return this.df.aggAll('mean', options, this.spec);
  }
  min(options?: NodeOptions) {
    return this.df.aggAll('min', options, this.spec);
  }
  max(options?: NodeOptions) {
    return this.df.aggAll('max', options, this.spec);
  }
  count(options?: NodeOptions) {
    return this.df.aggAll('count', options, this.spec);
  }
  var(options?: NodeOptions & { ddof?: number }) {
    return this.df.aggAll('var', options, this.spec);
  }
  std(options?: NodeOptions & { ddof?: number }) {
    return this.df.aggAll('std', options, this.spec);
  }
  /** Rows × columns in the window. */
  size(options?: NodeOptions) {
    return this.df.size(options, this.spec);
  }

  /** A user-defined aggregation over the window: `onNew` for each batch, `onOld` for the rows it evicts. */
  aggregate<St, R>(agg: Aggregation<St, R>, options?: StreamOptions): Stream<R> {
    return new CustomAggregationNode(this.df.stream, agg, new WindowState(this.spec, this.df.schema, this.df.dicts), options);
  }

  /** The window's rows after each batch. */
  full(options?: NodeOptions): DataFrame<S> {
    const { df } = this;
    const node = new WindowFrameNode(df.stream, this.spec, df.schema, df.dicts, (f) => f, { op: 'full' }, options);
    return df.derive(node, df.schema);
  }
}
