/**
 * `sdf.window({ n })` (the last n rows) and `sdf.window({ value: '10s', on: 'ts' })` (rows with
 * ts > max ts - 10 s; event time assumed non-decreasing, as in streamz). Aggregations emit the
 * aggregate over the current window after each batch; `full()` emits the window's rows.
 */
import type { Schema } from '../frame.js';
import type { WindowSpec } from '../window-state.js';
import { WindowState } from '../window-state.js';
import { WindowFrameNode } from './kernel-nodes.js';
import { GroupBy, type GroupedSeries } from './groupby.js';
import type { DataFrame } from './dataframe.js';
import type { AggMap, AggResult, Cols, NodeOptions } from './types.js';

export type WindowOptions<S extends Schema> = { n: number } | { value: string | number; on: Cols<S> };

export class Window<S extends Schema> {
  readonly spec: WindowSpec;

  constructor(
    readonly df: DataFrame<S>,
    spec: WindowOptions<S>,
  ) {
    this.spec = 'n' in spec ? { n: spec.n } : { value: spec.value, on: spec.on };
    new WindowState(this.spec, df.schema, df.dicts); // validate n / duration / on now
  }

  groupby<const K extends Cols<S>>(by: K | readonly K[], options: { dropna?: boolean } = {}): GroupBy<S, K> {
    return new GroupBy<S, K>(this.df, typeof by === 'string' ? [by] : by, this.spec, options.dropna ?? true);
  }

  /** A column of the window: `.sum()`, `.mean()`, ... over the current window (one row). */
  col<C extends Cols<S>>(column: C): GroupedSeries<S, never, C> {
    return new GroupBy<S, never>(this.df, [], this.spec, true).col(column);
  }

  agg<const A extends AggMap<S>>(aggs: A, options?: NodeOptions): DataFrame<AggResult<S, never, A>> {
    return new GroupBy<S, never>(this.df, [], this.spec, true).agg(aggs, options);
  }

  /** The window's rows after each batch. */
  full(options?: NodeOptions): DataFrame<S> {
    const { df } = this;
    const node = new WindowFrameNode(df.stream, this.spec, df.schema, df.dicts, (f) => f, { op: 'full' }, options);
    return df.derive(node, df.schema);
  }
}
