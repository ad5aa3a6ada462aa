/**
 * streamz's `Aggregation`: a user-defined incremental aggregation of a DataFrame, cumulative
 * (`sdf.aggregate(agg)`) or over a window (`sdf.window({ n: 5 }).aggregate(agg)`).
 */
import * as arrow from 'apache-arrow';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Frame } from '../frame.js';
import { readMeta } from '../grouped.js';
import type { WindowState } from '../window-state.js';

/**
 * `onNew` sees each batch and `onOld` each run of rows a window evicts (once per batch they came
 * in, as streamz); both return the new state and the result to emit. The state must be JSON, so
 * checkpoints can keep it.
 *
 * ```ts
 * const rows: Aggregation<number, number> = { initial: () => 0, onNew: (n, b) => [n + b.length, n + b.length], onOld: (n, o) => [n - o.length, n - o.length] };
 * sdf.window({ n: 100 }).aggregate(rows).sink(console.log); // rows in the window
 * ```
 */
export interface Aggregation<St, R> {
  initial(first: Frame): St;
  onNew(state: St, batch: Frame): readonly [St, R];
  onOld?(state: St, evicted: Frame): readonly [St, R];
}

/** The aggregation's own state; a windowed one snapshots as the window's rows with this in the metadata. */
interface CustomState<St> {
  started: boolean;
  state: St | null;
}

export class CustomAggregationNode<St, R> extends Stream<R> implements Stateful<arrow.Table | CustomState<St>> {
  private state: { value: St } | undefined;

  constructor(
    upstream: Stream<Frame>,
    private readonly agg: Aggregation<St, R>,
    private readonly window: WindowState | undefined,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
    if (window !== undefined && agg.onOld === undefined) throw new TypeError('aggregate over a window: the aggregation needs onOld for evicted rows');
  }

  override get kind(): string {
    return 'sdfAggregate';
  }

  override params(): Record<string, unknown> {
    return this.window === undefined ? {} : { window: this.window.spec };
  }

  override update(x: Frame, meta: Meta): Emitted {
    let result: R;
    try {
      const batch = this.window === undefined ? x : this.window.prepare(x);
      let state = this.state === undefined ? this.agg.initial(batch) : this.state.value;
      [state, result] = this.agg.onNew(state, batch);
      for (const sp of this.window?.push(batch) ?? []) {
        if (sp.end > sp.start) [state, result] = this.agg.onOld!(state, sp.frame.slice(sp.start, sp.end));
      }
      this.state = { value: state };
    } catch (e) {
      return this.fail(e, x, meta);
    }
    return this.out(result, meta);
  }

  /** JSON without a window; with one, the window's rows (Parquet in checkpoints) with the state in the metadata. */
  snapshot(): arrow.Table | CustomState<St> {
    const custom: CustomState<St> = { started: this.state !== undefined, state: this.state?.value ?? null };
    return this.window?.snapshot({ custom }) ?? custom;
  }

  restore(saved: arrow.Table | CustomState<St>): void {
    const custom = saved instanceof arrow.Table ? (readMeta(saved).custom as CustomState<St> | undefined) : saved;
    if (custom === undefined || typeof custom.started !== 'boolean') throw new Error(`restore ${this.id}: not the state of a custom aggregation`);
    if (saved instanceof arrow.Table) this.window?.restore(saved);
    else if (this.window !== undefined) throw new Error(`restore ${this.id}: a windowed aggregation needs its window's rows`);
    this.state = custom.started ? { value: custom.state as St } : undefined;
  }
}
