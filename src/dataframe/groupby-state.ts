/**
 * Cumulative groupby (streamz `sdf.groupby(k).v.sum()` etc.): update(frame) with each batch,
 * result() gives the full aggregate table so far (one row per group, sorted by key).
 * Keys: zero, one or several utf8/int32/bool columns. Column naming: see grouped.ts.
 */
import type * as arrow from 'apache-arrow';
import type { Frame } from './frame.js';
import { GroupedAggregation, type GroupedOptions, readMeta } from './grouped.js';

export class GroupbyState {
  private readonly g: GroupedAggregation;
  private seq = 0;
  /** Key and value columns: the rest of a batch is never read. */
  readonly reads: readonly string[];

  constructor(opts: GroupedOptions) {
    this.g = new GroupedAggregation(opts);
    this.reads = [...this.g.keys, ...this.g.valueCols];
  }

  get nGroups(): number {
    return this.g.grouper.nGroups;
  }

  update(batch: Frame): void {
    if (batch.length === 0) return;
    const frame = this.g.align(batch);
    const gids = this.g.assign(frame);
    this.g.add(frame, gids, this.seq);
    this.seq += frame.length;
  }

  result(): Frame {
    return this.g.result(false);
  }

  snapshot(): arrow.Table {
    return this.g.snapshotStats({ kind: 'groupby', version: 1, seq: this.seq, by: this.g.keys, specs: this.g.specs });
  }

  /** Restore into a freshly constructed state with the same options. */
  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'groupby') throw new Error(`restore: expected a groupby state, got ${String(meta.kind)}`);
    this.g.restoreStats(table);
    this.seq = meta.seq as number;
  }

  static restore(table: arrow.Table, opts: GroupedOptions): GroupbyState {
    const s = new GroupbyState(opts);
    s.restore(table);
    return s;
  }
}
