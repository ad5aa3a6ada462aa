/**
 * Stateful DataFrame nodes: each wraps one kernel (GroupbyState, WindowedAggregation, ...).
 * The node owns the policy (error handling, what to emit); the kernel owns the arithmetic and
 * its Arrow snapshot. `restore` builds a fresh kernel and restores into it, so restoring over a
 * node that already saw data (or was given `start`) replaces its state rather than merging.
 *
 * A kernel error (a non-numeric column, out-of-order timestamps for rolling('5s')) goes through
 * the node's error policy. There is no retry: replaying a batch into a half-updated kernel could
 * count it twice.
 */
import type * as arrow from 'apache-arrow';
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import { expectTable } from '../../core/state-shape.js';
import { Frame, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { GroupbyState } from '../groupby-state.js';
import { WindowState, WindowedAggregation, type WindowSpec } from '../window-state.js';
import type { RollingState } from '../rolling.js';
import type { EwmState } from '../ewm.js';
import type { CumulativeState } from '../cumulative.js';
import type { ValueCountsState } from '../value-counts.js';
import type { NLargestState } from '../nlargest.js';
import { readMeta, withMeta } from '../grouped.js';
import { toArrow } from '../convert.js';
import { Ingestor, type Batch } from '../ingest.js';
import type { ColumnReader } from '../demand.js';

export interface Kernel {
  snapshot(): arrow.Table;
  restore(t: arrow.Table): void;
  /** The input columns the kernel reads, when it reads some and keeps or emits no input frame. */
  readonly reads?: readonly string[];
}

export interface KernelNodeOptions extends StreamOptions {
  start?: arrow.Table;
}

export abstract class KernelNode<K extends Kernel> extends Stream<Frame> implements Stateful<arrow.Table>, ColumnReader {
  protected kernel: K;

  constructor(
    upstream: Stream<Frame>,
    private readonly make: () => K,
    private readonly described: Record<string, unknown>,
    options: KernelNodeOptions = {},
  ) {
    super(options, [upstream]);
    this.kernel = make();
    if (options.start !== undefined) this.restore(options.start);
  }

  override params(): Record<string, unknown> {
    return this.described;
  }

  get reads(): readonly string[] | undefined {
    return this.kernel.reads;
  }

  /** Feed one batch to the kernel; return the frame to emit. */
  protected abstract step(x: Frame): Frame;

  override update(x: Frame, meta: Meta): Emitted {
    let y: Frame;
    try {
      y = this.step(x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    return this.out(y, meta);
  }

  snapshot(): arrow.Table {
    return this.kernel.snapshot();
  }

  restore(table: arrow.Table): void {
    expectTable(this.kind, table);
    const k = this.make();
    k.restore(table);
    this.kernel = k;
  }
}

/** Cumulative groupby: after each batch, the full aggregate table so far (streamz semantics). */
export class GroupbyNode extends KernelNode<GroupbyState> {
  override get kind(): string {
    return 'sdfGroupby';
  }
  protected step(x: Frame): Frame {
    this.kernel.update(x);
    return this.kernel.result();
  }
}

/** Windowed (grouped) aggregation: after each batch, the aggregate over the current window. */
export class WindowAggNode extends KernelNode<WindowedAggregation> {
  override get kind(): string {
    return 'sdfWindowAgg';
  }
  protected step(x: Frame): Frame {
    this.kernel.update(x);
    return this.kernel.result();
  }
}

/** Per-row outputs carrying history across batches: rolling, expanding, ewm, cum*. */
export class RowwiseNode extends KernelNode<RollingState | EwmState | CumulativeState> {
  override get kind(): string {
    return `sdf${(this.params().op as string)[0].toUpperCase()}${(this.params().op as string).slice(1)}`;
  }
  protected step(x: Frame): Frame {
    return this.kernel.update(x);
  }
}

/** Cumulative value counts or nlargest: after each batch, the full result so far. */
export class CountsNode extends KernelNode<ValueCountsState | NLargestState> {
  override get kind(): string {
    return this.params().op === 'nlargest' ? 'sdfNlargest' : 'sdfValueCounts';
  }
  protected step(x: Frame): Frame {
    this.kernel.update(x);
    return this.kernel.result();
  }
}

/**
 * A window whose whole content is handed to `fn` after each batch: `window.full()`, and the
 * windowed operations that cannot be maintained incrementally (nlargest, valueCounts).
 */
export class WindowFrameNode extends KernelNode<WindowState> {
  constructor(
    upstream: Stream<Frame>,
    spec: WindowSpec,
    schema: Schema,
    dicts: Record<string, Dictionary>,
    private readonly fn: (window: Frame) => Frame,
    described: Record<string, unknown>,
    options?: KernelNodeOptions,
  ) {
    super(upstream, () => new WindowState(spec, schema, dicts), { window: spec, ...described }, options);
  }
  override get kind(): string {
    return 'sdfWindow';
  }
  protected step(x: Frame): Frame {
    this.kernel.push(this.kernel.prepare(x));
    return this.fn(this.kernel.frame());
  }
}

/**
 * streamz's accumulate_partitions: `acc = fn(acc, batch)`, emitted after each batch. The state
 * is a frame, so it snapshots as an Arrow table like every other SDF node.
 */
export class AccumulatePartitionsNode extends Stream<Frame> implements Stateful<arrow.Table> {
  private acc: Frame;
  private readonly ingestor: Ingestor;

  constructor(
    upstream: Stream<Frame>,
    readonly fn: (acc: Frame, batch: Frame) => Frame | Batch,
    start: Frame,
    dicts: Record<string, Dictionary>,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
    this.ingestor = new Ingestor({ ...start.schema }, { dicts });
    this.acc = this.ingestor.ingest(start);
  }
  override get kind(): string {
    return 'sdfAccumulatePartitions';
  }
  override params(): Record<string, unknown> {
    return { schema: this.ingestor.schema };
  }
  override update(x: Frame, meta: Meta): Emitted {
    let next: Frame;
    try {
      next = this.ingestor.ingest(this.fn(this.acc, x));
    } catch (e) {
      return this.fail(e, x, meta);
    }
    this.acc = next;
    return this.out(next, meta);
  }
  snapshot(): arrow.Table {
    // Frames are immutable, so the table may share the accumulator's buffers.
    return withMeta(toArrow(this.acc), { kind: 'accumulatePartitions', version: 1, rows: this.acc.length });
  }
  restore(table: arrow.Table): void {
    expectTable(this.kind, table);
    if (readMeta(table).kind !== 'accumulatePartitions') throw new Error('restore: expected an accumulatePartitions state');
    this.acc = table.numRows === 0 ? this.ingestor.empty() : this.ingestor.fromArrow(table);
  }
}
