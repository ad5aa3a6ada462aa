/**
 * DataFrame<S>: a stream of Frames with a known schema S (streamz's `streamz.dataframe.DataFrame`).
 * Every method adds one node to the graph and returns a new DataFrame (or a Series / GroupBy /
 * Window helper that does when you pick an aggregation); `stream` is the underlying core Stream.
 *
 * Column expressions (`sdf.col('v').gt(0.5)`) are lazy: the filter or assign node evaluates them on
 * each batch, so `sdf.filter(m).assign({ w: e })` is two nodes, not a web of zipped streams.
 */
import { Stream, type StreamOptions } from '../../core/stream.js';
import { preview, type ErrorPolicy } from '../../core/errors.js';
import { Dictionary } from '../dictionary.js';
import { Frame, toFloat64, type DType, type Schema } from '../frame.js';
import { NoColumnError } from '../errors.js';
import { Ingestor, inferSchema, type Batch, type ColumnObject, type RowObject } from '../ingest.js';
import { Expr, assignFrame, type ScalarInput } from '../expr.js';
import { filterFrame } from '../filter.js';
import { columnsRead, type Demand } from '../demand.js';
import type { AggOp } from '../aggregator.js';
import { FrameMapNode, IngestNode } from './frame-nodes.js';
import { AccumulatePartitionsNode } from './kernel-nodes.js';
import { CustomAggregationNode, type Aggregation } from './custom-aggregation.js';
import { Series } from './series.js';
import { GroupBy, keyColumns, type GroupedSeries } from './groupby.js';
import { Window, type WindowOptions } from './window.js';
import { isTimeWindow, TimeWindow, type TimeWindowOf } from './time-window.js';
import type { WindowSpec } from '../window-state.js';
import type { AggMap, AggOut, AggResult, Cols, NodeOptions, SeriesLike, Simplify } from './types.js';
import { buildJoin, StaticTable, type ColsOfType, type FrameJoined, type JoinMode, type JoinOptionsBase, type JoinRight, type JoinSpec, type KeysLeftRight, type KeysOn, type SchemaOf, type SharedCols, type WindowJoined, type WindowJoinSpec } from './join.js';

export interface DataFrameOptions<S extends Schema> extends StreamOptions {
  /** The schema every batch must have, e.g. `{ k: 'utf8', v: 'float64', ts: 'timestamp' }` (streamz's `example`). */
  example: S;
  /** Columns not in the example: an error (default, through the error policy) or dropped. */
  extra?: 'error' | 'drop';
  /** Error policy of the ingest node (a batch that does not match the example). */
  onError?: ErrorPolicy;
  /** Share string dictionaries with another DataFrame (set by derived DataFrames). */
  dicts?: Record<string, Dictionary>;
  /** False when `source` already carries Frames of this schema (derived DataFrames); default true. */
  ingest?: boolean;
  /**
   * Each frame is a whole table that replaces the previous one (an aggregate's output, streamz's
   * `updating` streams): aggregations of it are computed per frame, not accumulated across frames.
   */
  updating?: boolean;
  /** The column that is this DataFrame's index (set by `setIndex`); none: each batch's row positions, as pandas' default index. */
  index?: string;
}

type ScalarDType<X> = X extends number | null ? 'float64' : X extends string ? 'utf8' : X extends boolean ? 'bool' : X extends Date ? 'timestamp' : DType;
type AssignValue = SeriesLike | ScalarInput;
type Assigned<S extends Schema, A> = Simplify<Omit<S, keyof A> & { [K in keyof A & string]: A[K] extends SeriesLike<infer D> ? D : ScalarDType<A[K]> }>;
type Numeric<S extends Schema> = { [C in Cols<S>]: S[C] extends 'utf8' ? never : C }[Cols<S>];
type NumericFor<S extends Schema, O> = O extends 'min' | 'max' | 'count' ? Numeric<S> : Exclude<Numeric<S>, { [C in Cols<S>]: S[C] extends 'timestamp' ? C : never }[Cols<S>]>;

export class DataFrame<S extends Schema = Schema> {
  /** The core stream of Frames; every frame has `toArrow()`, `toRows()`, `toColumns()`, `toDanfo()`. */
  readonly stream: Stream<Frame>;
  readonly schema: Readonly<S>;
  /** String dictionaries shared by every node of this stream. */
  readonly dicts: Record<string, Dictionary>;
  /** Each frame replaces the previous one (see `DataFrameOptions.updating`). */
  readonly updating: boolean;
  /** The index column (see `setIndex`), or undefined for the default per-batch row positions. */
  readonly indexColumn: Cols<S> | undefined;
  private emptyFrame: Frame | undefined;

  constructor(source: Stream<any>, options: DataFrameOptions<S>) {
    if (options.example === null || typeof options.example !== 'object' || Array.isArray(options.example)) {
      throw new TypeError(`DataFrame: example must be a schema such as { x: 'float64' }, got ${preview(options.example)}`);
    }
    this.schema = Object.freeze({ ...options.example });
    this.updating = options.updating ?? false;
    if (options.index !== undefined && !(options.index in this.schema)) throw new Error(`DataFrame: index "${options.index}" is not a column (columns: ${Object.keys(this.schema).join(', ')})`);
    this.indexColumn = options.index as Cols<S> | undefined;
    this.dicts = options.dicts ?? {};
    for (const [c, t] of Object.entries(this.schema)) if (t === 'utf8') this.dicts[c] ??= new Dictionary();
    if (options.ingest === false) {
      this.stream = source as Stream<Frame>;
    } else {
      const ingestor = new Ingestor(this.schema, { dicts: this.dicts, extra: options.extra });
      this.stream = new IngestNode(source, ingestor, { name: options.name });
      if (options.onError !== undefined) this.stream.onError(options.onError);
    }
  }

  /** The columns, in order. */
  get columns(): Cols<S>[] {
    return Object.keys(this.schema) as Cols<S>[];
  }

  /** An empty frame of this schema (what expressions are checked against when a node is built). */
  empty(): Frame {
    return (this.emptyFrame ??= Frame.empty(this.schema, this.dicts));
  }

  /** Name the last node (its id in graphs and checkpoints). */
  name(id: string): this {
    this.stream.name(id);
    return this;
  }

  /** Error policy of the last node (for a DataFrame made by `new`, the ingest node). */
  onError(policy: ErrorPolicy): this {
    this.stream.onError(policy);
    return this;
  }

  /** A DataFrame over frames this one's nodes produce, sharing its dictionaries; `updating` when they are whole tables (aggregates). */
  derive<R extends Schema>(stream: Stream<Frame>, schema: R, updating = this.updating): DataFrame<R> {
    // The index goes along while its column does (filter, assign, tail), not through aggregations.
    const index = this.indexColumn !== undefined && !updating && this.indexColumn in schema ? this.indexColumn : undefined;
    return new DataFrame<R>(stream, { example: schema, dicts: this.dicts, ingest: false, updating, index });
  }

  /**
   * The index as a Series (streamz's `sdf.index`): the index column, or without one each batch's
   * row positions 0, 1, … (pandas' default index of every emitted frame).
   */
  get index(): Series<S, DType, string> {
    const c: string | undefined = this.indexColumn;
    if (c !== undefined) return new Series<S, DType, string>(this, new Expr((f) => f.col(c), c), c, c as Cols<S>);
    return new Series<S, DType, string>(this, new Expr((f) => ({ dtype: 'float64', data: Float64Array.from({ length: f.length }, (_, i) => i) }), 'index'), 'index', undefined);
  }

  /**
   * Make a column the index (pandas' `set_index`): windows over time (`window({ value })`,
   * `rolling('3h')`) and `groupby(sdf.index)` use it. The index stays a column of the frames;
   * an expression becomes one first, under `name` (default its Series name).
   */
  setIndex(key: Cols<S> | SeriesLike, options: { name?: string } = {}): DataFrame<S> {
    if (key instanceof Series && key.column !== undefined && key.column === key.name) return this.setIndex(key.column as Cols<S>);
    if (typeof key === 'string') {
      if (!(key in this.schema)) throw new NoColumnError('setIndex', key, this.columns);
      return new DataFrame<S>(this.stream, { example: this.schema, dicts: this.dicts, ingest: false, updating: this.updating, index: key });
    }
    const name = options.name ?? key.name;
    if (name in this.schema) {
      throw new Error(`setIndex: "${name}" is already a column; name the index: setIndex(expr, { name: '${name}_index' })`);
    }
    const withIndex = withColumn(this, name, key);
    return new DataFrame<any>(withIndex.stream, { example: withIndex.schema, dicts: this.dicts, ingest: false, updating: this.updating, index: name });
  }

  /** Back to the default index (pandas' `reset_index`): the index column stays a column. */
  resetIndex(): DataFrame<S> {
    return new DataFrame<S>(this.stream, { example: this.schema, dicts: this.dicts, ingest: false, updating: this.updating });
  }

  /** This DataFrame (streamz's `to_frame()` on a frame). */
  toFrame(): this {
    return this;
  }

  /** The last `n` rows of every frame (streamz's `tail`, per batch). */
  tail(n = 5, options?: StreamOptions): DataFrame<S> {
    return this.derive(new FrameMapNode(this.stream, 'sdfTail', { n }, (f) => f.slice(Math.max(0, f.length - n)), options), this.schema);
  }

  /**
   * The `n` rows of each frame with the largest `column`, descending, ties in row order (pandas'
   * `nlargest(n, column)`); on an aggregate, the top of the current table.
   */
  nlargest(n: number, column: Cols<S>, options?: StreamOptions): DataFrame<S> {
    if (!(column in this.schema)) throw new NoColumnError('nlargest', column, this.columns);
    return this.derive(new FrameMapNode(this.stream, 'sdfFrameNlargest', { n, column }, (f) => f.take(topRows(f, column, n)), options), this.schema);
  }

  /** A column as a lazy Series (streamz's `sdf.v` / `sdf['v']`). */
  col<C extends Cols<S>>(name: C): Series<S, S[C], C> {
    if (!(name in this.schema)) throw new NoColumnError('DataFrame', name, this.columns);
    return new Series<S, S[C], C>(this, new Expr((f) => f.col(name), name), name, name);
  }

  select<const C extends Cols<S>>(names: readonly C[], options?: StreamOptions): DataFrame<Simplify<Pick<S, C>>> {
    const schema = {} as Pick<S, C>;
    for (const n of names) {
      if (!(n in this.schema)) throw new NoColumnError('select', n, this.columns);
      (schema as Schema)[n] = this.schema[n];
    }
    return this.derive(new FrameMapNode(this.stream, 'sdfSelect', { columns: names }, (f) => f.select(names), options, ({ keeps }) => ({ cols: new Set(names), keeps })), schema) as DataFrame<any>;
  }

  /** Keep the rows where `mask` is true (null counts as false, like pandas). */
  filter(mask: SeriesLike<'bool'> | Expr, options?: StreamOptions): DataFrame<S> {
    const e = mask instanceof Expr ? mask : mask.expr;
    const empty = this.empty();
    const dt = e.evaluate(empty).dtype;
    if (dt !== 'bool') throw new TypeError(`filter: the mask ${e.label} is ${dt}, not bool`);
    const reads = columnsRead(e, empty);
    // Hands on gathered copies of the kept rows, never its input's arrays: ingest may share the batch's.
    const project = ({ cols }: Demand): Demand => ({ cols: cols && reads && new Set([...cols, ...reads]), keeps: false });
    return this.derive(new FrameMapNode(this.stream, 'sdfFilter', { mask: e.label }, (f) => filterFrame(f, e), options, project), this.schema);
  }

  /** Add or replace columns computed per batch (pandas `assign`); scalars are broadcast. */
  assign<const A extends Record<string, AssignValue>>(columns: A, options?: StreamOptions): DataFrame<Assigned<S, A>> {
    const exprs: Record<string, Expr | ScalarInput> = {};
    for (const [k, v] of Object.entries(columns)) exprs[k] = v instanceof Series ? v.expr : (v as ScalarInput);
    const empty = this.empty();
    const schema = { ...assignFrame(empty, exprs).schema } as Assigned<S, A>;
    const labels = Object.fromEntries(Object.entries(exprs).map(([k, v]) => [k, v instanceof Expr ? v.label : JSON.stringify(v)]));
    const reads = Object.values(exprs).map((v) => (v instanceof Expr ? columnsRead(v, empty) : new Set<string>()));
    const project = ({ cols, keeps }: Demand): Demand => {
      if (cols === undefined || reads.some((r) => r === undefined)) return { cols: undefined, keeps };
      return { cols: new Set([...[...cols].filter((c) => !(c in exprs)), ...reads.flatMap((r) => [...r!])]), keeps };
    };
    return this.derive(new FrameMapNode(this.stream, 'sdfAssign', { columns: labels }, (f) => assignFrame(f, exprs), options, project), schema);
  }

  /** Group by one or several key columns; aggregations over the groups are cumulative across the stream. */
  groupby<const K extends Cols<S>>(by: K | readonly K[], options?: { dropna?: boolean }): GroupBy<S, K>;
  /** Group by a Series: a column, or the index (`groupby(sdf.index)`); an expression is assigned as a column first. */
  groupby(by: SeriesLike, options?: { dropna?: boolean }): GroupBy<any, any>;
  groupby(by: Cols<S> | readonly Cols<S>[] | SeriesLike, options: { dropna?: boolean } = {}): GroupBy<any, any> {
    const keys = keyColumns(by);
    if (keys !== undefined) return new GroupBy<S, Cols<S>>(this, keys as Cols<S>[], undefined, options.dropna ?? true);
    const s = by as SeriesLike;
    return withColumn(this, s.name, s).groupby(s.name, options);
  }

  /**
   * Tumbling, hopping or session windows (`{ tumbling: '10s', on: 'ts' }`, see TimeWindow); or,
   * as streamz's `sdf.window`, the last `n` rows or the last `value` of event time in column `on`.
   */
  window(spec: TimeWindowOf<S>): TimeWindow<S>;
  window(spec: WindowOptions<S>): Window<S>;
  window(spec: WindowOptions<S> | TimeWindowOf<S>): Window<S> | TimeWindow<S> {
    return isTimeWindow(spec) ? new TimeWindow(this, spec as TimeWindowOf<S>) : new Window(this, spec as WindowOptions<S>);
  }

  /**
   * Join with another DataFrame stream or a `StaticTable` on key columns (pandas' `merge`: `on` or
   * `leftOn`/`rightOn`, `how`, `suffixes`): rows meeting within an event-time `interval` or in
   * the same `window`, or each left row with the latest right row `asof` its time (see `sdf/join.ts`).
   */
  join<R extends Schema, const K extends SharedCols<S, R>, SX extends string = '_x', SY extends string = '_y'>(
    right: DataFrame<R>,
    options: KeysOn<K> & { window: WindowJoinSpec<S, R> } & JoinOptionsBase<SX, SY>,
  ): DataFrame<WindowJoined<FrameJoined<S, R, K, SX, SY>>>;
  join<R extends Schema, const KL extends Cols<S>, const KR extends ColsOfType<R, S[KL]>, SX extends string = '_x', SY extends string = '_y'>(
    right: DataFrame<R>,
    options: KeysLeftRight<KL, KR> & { window: WindowJoinSpec<S, R> } & JoinOptionsBase<SX, SY>,
  ): DataFrame<WindowJoined<FrameJoined<S, R, never, SX, SY>>>;
  join<X extends JoinRight, const K extends SharedCols<S, SchemaOf<X>>, SX extends string = '_x', SY extends string = '_y'>(
    right: X,
    options: KeysOn<K> & JoinMode<X, S, SchemaOf<X>> & JoinOptionsBase<SX, SY>,
  ): DataFrame<FrameJoined<S, SchemaOf<X>, K, SX, SY>>;
  join<X extends JoinRight, const KL extends Cols<S>, const KR extends ColsOfType<SchemaOf<X>, S[KL]>, SX extends string = '_x', SY extends string = '_y'>(
    right: X,
    options: KeysLeftRight<KL, KR> & JoinMode<X, S, SchemaOf<X>> & JoinOptionsBase<SX, SY>,
  ): DataFrame<FrameJoined<S, SchemaOf<X>, never, SX, SY>>;
  join(right: JoinRight, options: object): DataFrame<any> {
    const built = buildJoin(this, right instanceof StaticTable ? right : { ...right, stream: (right as DataFrame).stream }, options as JoinSpec);
    return new DataFrame(built.stream, { example: built.layout.schema, dicts: built.layout.dicts, ingest: false });
  }

  /** Cumulative whole-frame aggregation: one row with `${column}_${op}` columns. */
  agg<const A extends AggMap<S>>(aggs: A, options?: NodeOptions): DataFrame<AggResult<S, never, A>> {
    return new GroupBy<S, never>(this, [], undefined, true).agg(aggs, options);
  }

  sum(options?: NodeOptions) {
    return this.aggAll('sum', options);
  }
  mean(options?: NodeOptions) {
    return this.aggAll('mean', options);
  }
  min(options?: NodeOptions) {
    return this.aggAll('min', options);
  }
  max(options?: NodeOptions) {
    return this.aggAll('max', options);
  }
  count(options?: NodeOptions) {
    return this.aggAll('count', options);
  }
  /** `ddof`: divide by count − ddof (default 1, pandas'). */
  var(options?: NodeOptions & { ddof?: number }) {
    return this.aggAll('var', options);
  }
  std(options?: NodeOptions & { ddof?: number }) {
    return this.aggAll('std', options);
  }

  /** pandas' `df.size`: rows × columns so far (of the window, from `Window.size`), in a column `size`. */
  size(options?: NodeOptions, window?: WindowSpec): DataFrame<{ size: 'float64' }> {
    const nCols = this.columns.length;
    const rows = new GroupBy<S, never>(this, [], window, true).aggregate([{ column: this.columns[0], op: 'size', name: 'size' }], options);
    const times = (f: Frame) => new Frame({ size: { dtype: 'float64', data: Float64Array.of((f.col('size').data[0] as number) * nCols) } }, 1);
    return rows.derive(new FrameMapNode(rows.stream, 'sdfFrameSize', { columns: nCols }, times), { size: 'float64' } as const);
  }

  /** A user-defined aggregation (streamz's `aggregate(Aggregation)`): what `onNew` returns after each batch. */
  aggregate<St, R>(agg: Aggregation<St, R>, options?: StreamOptions): Stream<R> {
    return new CustomAggregationNode(this.stream, agg, undefined, options);
  }

  /**
   * pandas' `df.sum()` etc. over the numeric columns, as one row named by column: cumulative, or
   * over a window (for `Window.sum()` and the like).
   */
  aggAll<O extends AggOp>(op: O, options?: NodeOptions & { ddof?: number }, window?: WindowSpec): DataFrame<Simplify<{ [C in NumericFor<S, O>]: AggOut<O, S[C]> }>> {
    // Like pandas' numeric_only: strings never, timestamps only where the result is a time or a count.
    const cols = this.columns.filter((c) => this.schema[c] !== 'utf8' && (this.schema[c] !== 'timestamp' || op === 'min' || op === 'max' || op === 'count'));
    return new GroupBy<S, never>(this, [], window, true).aggregate(
      cols.map((c) => ({ column: c, op, name: c, ...(options?.ddof !== undefined && { ddof: options.ddof }) })),
      options,
    ) as DataFrame<any>;
  }

  /**
   * Apply `fn` to every batch (streamz's `map_partitions`). The output schema is `example`, or
   * what `fn` returns for an empty frame.
   */
  mapPartitions<R extends Schema = Schema>(fn: (batch: Frame) => Frame | Batch, options: StreamOptions & { example?: R } = {}): DataFrame<R> {
    const schema = (options.example ?? toFrame(fn(this.empty()), this.dicts).schema) as R;
    const ing = new Ingestor(schema, { dicts: this.dicts });
    const node = new FrameMapNode(this.stream, 'sdfMapPartitions', { schema }, (f) => ing.ingest(fn(f)), options);
    return this.derive(node, schema);
  }

  /**
   * streamz's `accumulate_partitions`: `acc = fn(acc, batch)` after each batch, emitted. `start`
   * is the first accumulator (a Frame or any accepted batch); its schema is the output schema.
   */
  accumulatePartitions<R extends Schema = Schema>(
    fn: (acc: Frame, batch: Frame) => Frame | Batch,
    options: StreamOptions & { start: Frame | Batch; example?: R },
  ): DataFrame<R> {
    const start = options.example ? new Ingestor(options.example, { dicts: this.dicts }).ingest(options.start) : toFrame(options.start, this.dicts);
    const node = new AccumulatePartitionsNode(this.stream, fn, start, this.dicts, options);
    return this.derive(node, { ...start.schema } as R);
  }

  toString(): string {
    return `DataFrame(${Object.entries(this.schema).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
  }
}

/** `df` with one more column (typed loosely: the schema-level types of `assign` are too deep here). */
function withColumn(df: DataFrame<any>, name: string, value: SeriesLike): DataFrame<Schema> {
  return (df.assign as (columns: Record<string, SeriesLike>) => DataFrame<Schema>).call(df, { [name]: value });
}

/** Row positions of the n largest values of `column` (NaN left out), descending, ties in row order. */
function topRows(f: Frame, column: string, n: number): Int32Array {
  const v = toFloat64(f.col(column));
  const idx = Array.from({ length: f.length }, (_, i) => i).filter((i) => v[i] === v[i]);
  idx.sort((a, b) => v[b] - v[a] || a - b);
  return Int32Array.from(idx.slice(0, n));
}

/**
 * streamz's `DataFrames`: a stream of independent tables; reductions are per frame
 * (`sdf.col('x').sum()` is each batch's sum), not accumulated across batches.
 */
export class DataFrames<S extends Schema = Schema> extends DataFrame<S> {
  constructor(source: Stream<any>, options: DataFrameOptions<S>) {
    super(source, { ...options, updating: true });
  }
}

/** A batch of unknown shape as a Frame (schema inferred from column objects and rows). */
function toFrame(b: Frame | Batch, dicts: Record<string, Dictionary>): Frame {
  if (b instanceof Frame) return b;
  if (typeof (b as { getChild?: unknown }).getChild === 'function' || !isPlain(b)) {
    throw new TypeError('give `example` when the function returns an Arrow table or a danfo DataFrame');
  }
  return new Ingestor(inferSchema(b as ColumnObject | RowObject[]), { dicts }).ingest(b);
}
const isPlain = (b: unknown) => Array.isArray(b) || Object.getPrototypeOf(b) === Object.prototype;

export type { GroupedSeries };
