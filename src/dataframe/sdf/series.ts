/**
 * Series<S, D, N>: one column (or a column expression) of a DataFrame<S>, dtype D, named N.
 * Comparisons and arithmetic build lazy expressions (evaluated per batch by the filter/assign
 * node that uses them); aggregations, rolling, ewm, cum* and valueCounts add a stateful node and
 * return a DataFrame of result frames with one column named N (pandas keeps the Series name).
 */
import type { Stream } from '../../core/stream.js';
import * as arrow from 'apache-arrow';
import { Frame, toFloat64, type Column, type DType, type Schema } from '../frame.js';
import { Expr, type ScalarInput } from '../expr.js';
import type { AggOp } from '../aggregator.js';
import { GroupbyState } from '../groupby-state.js';
import { CumulativeState, type CumOp } from '../cumulative.js';
import { ValueCountsState } from '../value-counts.js';
import { NLargestState } from '../nlargest.js';
import { EwmState, type EwmParams } from '../ewm.js';
import { CountsNode, GroupbyNode, RowwiseNode } from './kernel-nodes.js';
import { FrameMapNode } from './frame-nodes.js';
import { Ewm, Rolling, type RollingOptions } from './rolling.js';
import { tableAggregation } from './groupby.js';
import type { DataFrame } from './dataframe.js';
import type { AggOut, Cols, NodeOptions, SeriesLike } from './types.js';

type Operand = SeriesLike | ScalarInput;
type ArithOut<D, O> = D extends 'timestamp' ? (O extends SeriesLike<'timestamp'> | Date ? 'float64' : 'timestamp') : 'float64';
const toExpr = (o: Operand): Expr | ScalarInput => (o instanceof Series ? o.expr : (o as ScalarInput));

export class Series<S extends Schema, D extends DType = DType, N extends string = string> implements SeriesLike<D> {
  declare readonly __dtype?: D;
  private projected: Stream<Frame> | undefined;

  constructor(
    readonly df: DataFrame<S>,
    readonly expr: Expr,
    readonly name: N,
    /** The source column when this Series is a plain column, else undefined. */
    readonly column: Cols<S> | undefined,
  ) {}

  /** The dtype the expression yields (checked on the DataFrame's empty frame). */
  get dtype(): D {
    return this.expr.evaluate(this.df.empty()).dtype as D;
  }

  private derive<D2 extends DType>(e: Expr): Series<S, D2, N> {
    return new Series<S, D2, N>(this.df, e, this.name, undefined);
  }

  /** The same values under another name. */
  alias<M extends string>(name: M): Series<S, D, M> {
    return new Series<S, D, M>(this.df, this.expr, name, this.column);
  }

  gt(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.gt(toExpr(o)));
  }
  lt(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.lt(toExpr(o)));
  }
  ge(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.ge(toExpr(o)));
  }
  le(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.le(toExpr(o)));
  }
  eq(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.eq(toExpr(o)));
  }
  ne(o: Operand): Series<S, 'bool', N> {
    return this.derive(this.expr.ne(toExpr(o)));
  }
  and(o: SeriesLike<'bool'>): Series<S, 'bool', N> {
    return this.derive(this.expr.and(o.expr));
  }
  or(o: SeriesLike<'bool'>): Series<S, 'bool', N> {
    return this.derive(this.expr.or(o.expr));
  }
  not(): Series<S, 'bool', N> {
    return this.derive(this.expr.not());
  }
  isNull(): Series<S, 'bool', N> {
    return this.derive(this.expr.isNull());
  }
  notNull(): Series<S, 'bool', N> {
    return this.derive(this.expr.notNull());
  }
  add<O extends Operand>(o: O): Series<S, ArithOut<D, O>, N> {
    return this.derive(this.expr.add(toExpr(o)));
  }
  sub<O extends Operand>(o: O): Series<S, ArithOut<D, O>, N> {
    return this.derive(this.expr.sub(toExpr(o)));
  }
  mul(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.mul(toExpr(o)));
  }
  div(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.div(toExpr(o)));
  }
  /** Python's `%` (sign of the divisor). */
  mod(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.mod(toExpr(o)));
  }
  /** Python's `//` (rounded down). */
  floordiv(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.floordiv(toExpr(o)));
  }
  pow(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.pow(toExpr(o)));
  }
  /** Reflected operators: `s.rsub(10)` is `10 - s` (pandas' `rsub`, Python's `__rsub__`). */
  radd(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.radd(toExpr(o)));
  }
  rsub(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rsub(toExpr(o)));
  }
  rmul(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rmul(toExpr(o)));
  }
  rdiv(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rdiv(toExpr(o)));
  }
  rmod(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rmod(toExpr(o)));
  }
  rfloordiv(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rfloordiv(toExpr(o)));
  }
  rpow(o: Operand): Series<S, 'float64', N> {
    return this.derive(this.expr.rpow(toExpr(o)));
  }
  neg(): Series<S, D extends 'int32' ? 'int32' : 'float64', N> {
    return this.derive(this.expr.neg());
  }
  abs(): Series<S, D extends 'int32' ? 'int32' : 'float64', N> {
    return this.derive(this.expr.abs());
  }
  round(decimals = 0): Series<S, D extends 'int32' ? 'int32' : 'float64', N> {
    return this.derive(this.expr.round(decimals));
  }
  astype<T extends DType>(dtype: T): Series<S, T, N> {
    return this.derive(this.expr.astype(dtype));
  }
  /**
   * Apply `fn` to every value (pandas' `Series.map` with a function): a float64 Series, evaluated
   * per batch like every expression. Nulls stay null without calling `fn`.
   */
  map(fn: (value: number) => number): Series<S, 'float64', N> {
    const { expr } = this;
    return this.derive(new Expr((f) => mapValues(expr.evaluate(f), fn), `map(${expr.label}, ${fn.name || 'fn'})`));
  }

  /** Frames of this one column, one per batch (a projection node, made once). */
  get stream(): Stream<Frame> {
    return (this.projected ??= this.project([]));
  }

  /** This Series as a one-column DataFrame. */
  toFrame(): DataFrame<{ [K in N]: D }> {
    return this.df.derive(this.stream, { [this.name]: this.dtype } as { [K in N]: D });
  }

  /**
   * Where a kernel reads this Series from: a plain column straight from the DataFrame's frames;
   * an expression (or a renamed column) from a projection evaluated per batch, with `extra` columns kept.
   */
  input(extra: readonly string[] = []): { stream: Stream<Frame>; column: string; schema: Schema } {
    if (this.column !== undefined && this.column === this.name) return { stream: this.df.stream, column: this.column, schema: this.df.schema };
    const stream = extra.length === 0 && this.projected ? this.projected : this.project(extra);
    const schema: Schema = { [this.name]: this.dtype };
    for (const c of extra) schema[c] = this.df.schema[c];
    return { stream, column: this.name, schema };
  }

  private project(extra: readonly string[]): Stream<Frame> {
    const { expr, name } = this;
    expr.evaluate(this.df.empty()); // fail now, not on the first batch, if a column is missing
    return new FrameMapNode(this.df.stream, 'sdfSeries', { expr: expr.label, name, extra }, (f) => {
      const cols: Record<string, Column> = { [name]: expr.evaluate(f) };
      for (const c of extra) cols[c] = f.col(c);
      return new Frame(cols, f.length);
    });
  }

  private aggregate<O extends AggOp>(op: O, options: AggregateOptions = {}): DataFrame<{ [K in N]: AggOut<O, D> }> {
    const { stream, column, schema } = this.input();
    const spec = { column, op, name: this.name, ...(options.ddof !== undefined && { ddof: options.ddof }) };
    const make = () => new GroupbyState({ schema, dicts: this.df.dicts, aggs: [spec] });
    const described = { op, column, name: this.name, ...(options.ddof !== undefined && { ddof: options.ddof }) };
    const start = options.start === undefined || options.start instanceof arrow.Table ? options.start : startState(make(), column, op, options.start);
    const node = this.df.updating ? tableAggregation(stream, make, described, options) : new GroupbyNode(stream, make, described, { ...options, start });
    return this.df.derive(node, { ...make().result().schema } as { [K in N]: AggOut<O, D> }, true);
  }

  /**
   * Cumulative aggregations over the whole stream so far: a one-row frame after each batch. `start`
   * is a snapshot of the same aggregation, or a plain value as streamz takes it: a sum, a count,
   * or `[sum, count]` for a mean.
   */
  sum(options?: NodeOptions | PlainStart<number>) {
    return this.aggregate('sum', options);
  }
  count(options?: NodeOptions | PlainStart<number>) {
    return this.aggregate('count', options);
  }
  size(options?: NodeOptions | PlainStart<number>) {
    return this.aggregate('size', options);
  }
  mean(options?: NodeOptions | PlainStart<readonly [number, number]>) {
    return this.aggregate('mean', options);
  }
  min(options?: NodeOptions) {
    return this.aggregate('min', options);
  }
  max(options?: NodeOptions) {
    return this.aggregate('max', options);
  }
  /** `ddof`: divide by count − ddof (default 1, pandas'). */
  var(options?: NodeOptions & { ddof?: number }) {
    return this.aggregate('var', options);
  }
  std(options?: NodeOptions & { ddof?: number }) {
    return this.aggregate('std', options);
  }
  first(options?: NodeOptions) {
    return this.aggregate('first', options);
  }
  last(options?: NodeOptions) {
    return this.aggregate('last', options);
  }
  nunique(options?: NodeOptions) {
    return this.aggregate('nunique', options);
  }

  /** The n largest values so far, descending. */
  nlargest(n: number, options: NodeOptions = {}): DataFrame<{ [K in N]: D extends 'timestamp' ? 'timestamp' : 'float64' }> {
    const { stream, column, schema } = this.input();
    const make = () => new NLargestState({ schema, dicts: this.df.dicts, column, n, name: this.name });
    const node = new CountsNode(stream, make, { op: 'nlargest', column, n }, options);
    return this.df.derive(node, { ...make().result().schema } as any, true);
  }

  /** Counts of each value so far, by count descending (pandas `value_counts`); columns N and `count`. */
  valueCounts(options: NodeOptions = {}): DataFrame<{ [K in N]: D } & { count: 'float64' }> {
    const { stream, column, schema } = this.input();
    const make = () => new ValueCountsState(column, schema, this.df.dicts);
    const node = new CountsNode(stream, make, { op: 'valueCounts', column }, options);
    return this.df.derive(node, { ...make().result().schema } as any, true);
  }

  private cumulative(op: CumOp, options: NodeOptions = {}): DataFrame<{ [K in N]: 'float64' }> {
    const { stream, column } = this.input();
    const node = new RowwiseNode(stream, () => new CumulativeState(column, op, this.name), { op, column }, options);
    return this.df.derive(node, { [this.name]: 'float64' } as { [K in N]: 'float64' });
  }
  /** Per-row running sum across batches (a null row gives NaN and is skipped, like pandas). */
  cumsum(options?: NodeOptions) {
    return this.cumulative('cumsum', options);
  }
  cumprod(options?: NodeOptions) {
    return this.cumulative('cumprod', options);
  }
  cummin(options?: NodeOptions) {
    return this.cumulative('cummin', options);
  }
  cummax(options?: NodeOptions) {
    return this.cumulative('cummax', options);
  }

  /**
   * Per-row rolling aggregations carrying history across batches. `rolling(100)` is the last 100
   * rows, NaN until 100 rows were seen (pandas' default, which streamz keeps); `rolling('5s')` is
   * the last 5 s of the timestamp column `on` (default: the schema's only timestamp column).
   */
  rolling(window: number | string, options: RollingOptions<S> = {}): Rolling<N> {
    return new Rolling<N>(this, window, options);
  }

  /** Per-row aggregations over every row so far (minPeriods 1). */
  expanding(options: { minPeriods?: number } = {}): Rolling<N> {
    return new Rolling<N>(this, undefined, options);
  }

  /** Exponentially weighted mean/var/std (pandas `ewm`, adjust=true by default). */
  ewm(params: EwmParams): Ewm<N> {
    new EwmState({ ...params, column: this.name }); // validate alpha/span/com/halflife now
    return new Ewm<N>(this, params);
  }

  toString(): string {
    return `Series(${this.expr.label}: ${this.dtype})`;
  }
}

/** A streamz-style plain start value for sum, count, size (a number) or mean (`[sum, count]`). */
type PlainStart<V> = Omit<NodeOptions, 'start'> & { start?: arrow.Table | V };
type AggregateOptions = Omit<NodeOptions, 'start'> & { start?: arrow.Table | number | readonly [number, number]; ddof?: number };

/**
 * A plain start value as the snapshot of a state that has seen rows with those totals: a sum s
 * is one row s, a count or size c is c rows of 0, a mean `[s, c]` is s then c − 1 zeros.
 */
function startState(state: GroupbyState, column: string, op: AggOp, start: number | readonly [number, number]): arrow.Table {
  let rows: number[];
  if (op === 'sum' && typeof start === 'number') rows = [start];
  else if ((op === 'count' || op === 'size') && typeof start === 'number' && Number.isInteger(start) && start >= 0) rows = new Array<number>(start).fill(0);
  else if (op === 'mean' && Array.isArray(start) && Number.isInteger(start[1]) && start[1] > 0) rows = [start[0], ...new Array<number>(start[1] - 1).fill(0)];
  else throw new TypeError(`${op}: start must be a snapshot${op === 'mean' ? ' or [sum, count]' : op === 'sum' || op === 'count' || op === 'size' ? ' or a number' : ''}, got ${JSON.stringify(start)}`);
  state.update(new Frame({ [column]: { dtype: 'float64', data: Float64Array.from(rows) } }, rows.length));
  return state.snapshot();
}

function mapValues(c: Column, fn: (value: number) => number): Column {
  const x = toFloat64(c);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] === x[i] ? fn(x[i]) : NaN;
  return { dtype: 'float64', data: out };
}
