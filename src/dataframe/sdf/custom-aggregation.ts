/**
 * streamz's `Aggregation`: a user-defined incremental aggregation of a DataFrame, cumulative
 * (`sdf.aggregate(agg)`) or over a window (`sdf.window({ n: 5 }).aggregate(agg)`).
 */
import * as arrow from 'apache-arrow';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Frame } from '../frame.js';
import { readMeta, withMeta } from '../grouped.js';
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

export class CustomAggregationNode<St, R> extends Stream<R> implements Stateful<arrow.Table> {
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

  /** The window's rows (none without a window), with the aggregation's state in the metadata. */
  snapshot(): arrow.Table {
    const custom = { started: this.state !== undefined, state: this.state?.value ?? null };
    return this.window?.snapshot({ custom }) ?? withMeta(new arrow.Table(), { kind: 'aggregate', version: 1, custom });
  }

  restore(table: arrow.Table): void {
    const { custom } = readMeta(table) as { custom?: { started: boolean; state: St } };
    if (custom === undefined) throw new Error(`restore ${this.id}: not the state of a custom aggregation`);
    this.window?.restore(table);
    this.state = custom.started ? { value: custom.state } : undefined;
  }
}
