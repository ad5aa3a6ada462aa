/**
 * `series.rolling(n | '5s')`, `series.expanding()` and `series.ewm(...)`: per-row outputs that
 * carry history across batches, one output row per input row, one float64 column named after
 * the Series (or `${name}_${op}` with `agg([...])`).
 */
import { RollingState, type RollOp } from '../rolling.js';
import { EwmState, type EwmOp, type EwmParams } from '../ewm.js';
import type { Schema } from '../frame.js';
import { RowwiseNode } from './kernel-nodes.js';
import type { DataFrame } from './dataframe.js';
import type { Series } from './series.js';
import type { Cols, NodeOptions } from './types.js';

export interface RollingOptions<S extends Schema = Schema> {
  /** Rows needed before a value is shown; default the window size for `rolling(n)` (pandas, and so streamz, which passes none on), 1 for time windows and `expanding()`. */
  minPeriods?: number;
  /** The timestamp column of a time window; default the index (`setIndex`), else the schema's only timestamp column. */
  on?: Cols<S>;
}

type One<N extends string> = DataFrame<{ [K in N]: 'float64' }>;
/** var/std: delta degrees of freedom (default 1); quantile: q (set by `quantile(q)`). */
type StatOptions = NodeOptions & { ddof?: number; quantile?: number };

export class Rolling<N extends string> {
  constructor(
    private readonly series: Series<any, any, N>,
    private readonly window: number | string | undefined,
    private readonly options: RollingOptions<any>,
  ) {}

  /** Several aggregations at once: columns `${name}_${op}`. */
  agg<const O extends RollOp>(ops: readonly O[], options: StatOptions = {}): DataFrame<{ [K in `${N}_${O}`]: 'float64' }> {
    const s = this.series;
    const on = typeof this.window === 'string' ? (this.options.on ?? s.df.indexColumn ?? onlyTimestamp(s.df.schema)) : undefined;
    const { stream, column } = s.input(on !== undefined && on !== s.column ? [on] : []);
    const names = Object.fromEntries(ops.map((op) => [op, ops.length === 1 ? s.name : `${s.name}_${op}`]));
    const minPeriods = this.options.minPeriods ?? (typeof this.window === 'number' ? this.window : 1);
    const { ddof, quantile } = options;
    const make = () => new RollingState({ column, window: this.window, on, ops: [...ops], names, minPeriods, ddof, quantile });
    make(); // validate the window now
    const op = this.window === undefined ? 'expanding' : 'rolling';
    const node = new RowwiseNode(stream, make, { op, column, window: this.window ?? null, on: on ?? null, ops, minPeriods, ...(ddof !== undefined && { ddof }), ...(quantile !== undefined && { quantile }) }, options);
    const schema = Object.fromEntries(Object.values(names).map((n) => [n, 'float64']));
    return s.df.derive(node, schema as { [K in `${N}_${O}`]: 'float64' });
  }

  private one(op: RollOp, options?: StatOptions): One<N> {
    return this.agg([op], options) as unknown as One<N>;
  }
  sum(options?: NodeOptions) {
    return this.one('sum', options);
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
  count(options?: NodeOptions) {
    return this.one('count', options);
  }
  var(options?: NodeOptions & { ddof?: number }) {
    return this.one('var', options);
  }
  std(options?: NodeOptions & { ddof?: number }) {
    return this.one('std', options);
  }
  median(options?: NodeOptions) {
    return this.one('median', options);
  }
  /** The q-quantile of the window, linearly interpolated (pandas' default). */
  quantile(q: number, options?: NodeOptions) {
    return this.one('quantile', { ...options, quantile: q });
  }
}

function onlyTimestamp(schema: Schema): string {
  const ts = Object.keys(schema).filter((c) => schema[c] === 'timestamp');
  if (ts.length !== 1) throw new Error(`rolling(duration) needs { on: column }: the schema has ${ts.length} timestamp columns`);
  return ts[0];
}

export class Ewm<N extends string> {
  constructor(
    private readonly series: Series<any, any, N>,
    private readonly params: EwmParams,
  ) {}

  private one(op: EwmOp, options: NodeOptions = {}): One<N> {
    const s = this.series;
    const { stream, column } = s.input();
    const make = () => new EwmState({ ...this.params, column, ops: [op], names: { [op]: s.name } });
    const node = new RowwiseNode(stream, make, { op: 'ewm', stat: op, column, ...this.params }, options);
    return s.df.derive(node, { [s.name]: 'float64' } as { [K in N]: 'float64' });
  }
  mean(options?: NodeOptions) {
    return this.one('mean', options);
  }
  var(options?: NodeOptions) {
    return this.one('var', options);
  }
  std(options?: NodeOptions) {
    return this.one('std', options);
  }
}
