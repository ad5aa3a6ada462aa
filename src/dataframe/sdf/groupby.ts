/**
 * `sdf.groupby(k)` and `sdf.window(...).groupby(k)`: pick a column and an aggregation (or several
 * with `agg`) to get a DataFrame of result frames. Without a window the aggregate is cumulative:
 * after each batch, the full table so far. With a window it is the aggregate over the current
 * window. Keys come first, sorted like pandas (sort=True); null keys are dropped unless dropna: false.
 */
import type { AggOp } from '../aggregator.js';
import type { AggSpec } from '../grouped.js';
import type { Frame, Schema } from '../frame.js';
import { NoColumnError } from '../errors.js';
import type { Stream, StreamOptions } from '../../core/stream.js';
import { FrameMapNode } from './frame-nodes.js';
import { GroupbyState } from '../groupby-state.js';
import { WindowedAggregation, type WindowSpec } from '../window-state.js';
import { NLargestState, nlargestOf } from '../nlargest.js';
import { normalizeAggs } from '../grouped.js';
import { CountsNode, GroupbyNode, WindowAggNode, WindowFrameNode } from './kernel-nodes.js';
import type { DataFrame } from './dataframe.js';
import type { AggMap, AggOut, AggResult, Cols, NodeOptions, SeriesLike, Simplify } from './types.js';
import { TimeWindow } from './time-window.js';

/** `R`, after the columns `X` when there are any (a time window's bounds). */
type After<X extends Schema, R extends Schema> = keyof X extends never ? R : Simplify<X & R>;

/** X: columns a result starts with (a time window's bounds). */
export class GroupBy<S extends Schema, K extends Cols<S>, X extends Schema = {}> {
  constructor(
    readonly df: DataFrame<S>,
    readonly by: readonly K[],
    readonly window: WindowSpec | TimeWindow<any> | undefined,
    readonly dropna: boolean,
  ) {
    for (const k of by) if (!(k in df.schema)) throw new NoColumnError('groupby', k, df.columns);
  }

  col<C extends Cols<S>>(column: C): GroupedSeries<S, K, C, X> {
    if (!(column in this.df.schema)) throw new NoColumnError('groupby', column, this.df.columns);
    return new GroupedSeries(this, column);
  }

  /** Several aggregations: `{ v: ['sum', 'mean'], w: 'max' }` gives columns `v_sum`, `v_mean`, `w_max`. */
  agg<const A extends AggMap<S>>(aggs: A, options?: NodeOptions): DataFrame<After<X, AggResult<S, K, A>>> {
    return this.aggregate(normalizeAggs(aggs as Record<string, AggOp | AggOp[]>), options) as DataFrame<any>;
  }

  /** One node for a list of aggregations (cumulative or windowed). */
  aggregate(specs: AggSpec[], options: NodeOptions = {}): DataFrame<Schema> {
    const { df, window } = this;
    if (window instanceof TimeWindow) return window.aggregate(this.by, specs, this.dropna, options);
    const opts = { schema: df.schema, dicts: df.dicts, by: [...this.by], aggs: specs, dropna: this.dropna };
    const described = { by: this.by, aggs: specs, dropna: this.dropna, ...(window ? { window } : {}) };
    const probe = window ? new WindowedAggregation({ ...opts, window }) : new GroupbyState(opts);
    const node = window
      ? new WindowAggNode(df.stream, () => new WindowedAggregation({ ...opts, window }), described, options)
      : df.updating
        ? tableAggregation(df.stream, () => new GroupbyState(opts), described, options)
        : new GroupbyNode(df.stream, () => new GroupbyState(opts), described, options);
    return df.derive(node, { ...probe.result().schema }, true);
  }
}

type Out<S extends Schema, K extends Cols<S>, C extends Cols<S>, D, X extends Schema> = DataFrame<After<X, Simplify<Pick<S, K> & { [P in C]: D }>>>;

/** Key columns of a groupby: names, or a Series that is a plain column (`sdf.index` after setIndex, `sdf.col('k')`); undefined for an expression. */
export function keyColumns(by: string | readonly string[] | SeriesLike): string[] | undefined {
  if (typeof by === 'string') return [by];
  if (Array.isArray(by)) return [...by];
  const s = by as SeriesLike & { column?: string };
  return s.column !== undefined && s.column === s.name ? [s.column] : undefined;
}

/** An aggregation of an updating table: each frame is the whole table, so it is aggregated afresh (streamz's `updating` streams). */
export function tableAggregation(upstream: Stream<Frame>, make: () => GroupbyState, described: Record<string, unknown>, options?: StreamOptions): Stream<Frame> {
  return new FrameMapNode(upstream, 'sdfTableAgg', described, (table) => {
    const state = make();
    state.update(table);
    return state.result();
  }, options);
}

export class GroupedSeries<S extends Schema, K extends Cols<S>, C extends Cols<S>, X extends Schema = {}> {
  constructor(
    private readonly g: GroupBy<S, K, X>,
    readonly column: C,
  ) {}

  private one<O extends AggOp>(op: O, options?: NodeOptions & { ddof?: number }): Out<S, K, C, AggOut<O, S[C]>, X> {
    return this.g.aggregate([{ column: this.column, op, name: this.column, ...(options?.ddof !== undefined && { ddof: options.ddof }) }], options) as DataFrame<any>;
  }
  sum(options?: NodeOptions) {
    return this.one('sum', options);
  }
  count(options?: NodeOptions) {
    return this.one('count', options);
  }
  size(options?: NodeOptions) {
    return this.one('size', options);
  }
  mean(options?: NodeOptions) {
    return this.one('mean', options);
  }
  min(options?: NodeOptions) {
    return this.one('min', options);
  }
  max(options?: NodeOptions) {
    return this.one('max', options);
  }
  /** `ddof`: divide by count − ddof (default 1, pandas'). */
  var(options?: NodeOptions & { ddof?: number }) {
    return this.one('var', options);
  }
  std(options?: NodeOptions & { ddof?: number }) {
    return this.one('std', options);
  }
  first(options?: NodeOptions) {
    return this.one('first', options);
  }
  last(options?: NodeOptions) {
    return this.one('last', options);
  }
  nunique(options?: NodeOptions) {
    return this.one('nunique', options);
  }

  /** Several aggregations of this column: columns `${column}_${op}`. */
  agg<const O extends AggOp>(ops: readonly O[], options?: NodeOptions): DataFrame<After<X, Simplify<Pick<S, K> & { [P in `${C}_${O}`]: AggOut<O, S[C]> }>>> {
    return this.g.aggregate(ops.map((op) => ({ column: this.column, op, name: `${this.column}_${op}` })), options) as DataFrame<any>;
  }

  /**
   * The n largest values of each group, long format (keys, then the values descending). Windowed,
   * it is recomputed from the window's rows after each batch (top-n cannot be maintained under eviction).
   */
  nlargest(n: number, options: NodeOptions = {}): Out<S, K, C, S[C] extends 'timestamp' ? 'timestamp' : 'float64', X> {
    const { df, window, by } = this.g;
    const opts = { schema: df.schema, dicts: df.dicts, by: [...by], column: this.column, n };
    const described = { op: 'nlargest', by, column: this.column, n };
    if (window instanceof TimeWindow) return window.rows(by, (f) => nlargestOf(f, opts), described, options) as DataFrame<any>;
    const schema = { ...new NLargestState(opts).result().schema };
    const node = window
      ? new WindowFrameNode(df.stream, window, df.schema, df.dicts, (f) => nlargestOf(f, opts), described, options)
      : new CountsNode(df.stream, () => new NLargestState(opts), described, options);
    return df.derive(node, schema, true) as DataFrame<any>;
  }
}
