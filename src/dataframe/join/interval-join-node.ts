/**
 * Interval join of two DataFrame streams (Flink's interval join): a left row and a right row
 * with equal keys join when `right.ts - before <= left.ts <= right.ts + after`. Each pair is
 * emitted once, when the later of its two rows arrives. Rows wait in a `SideBuffer` until the
 * other side's watermark shows no partner can still come: a right row goes when the left
 * watermark passes `ts + after`, a left row when the right watermark passes `ts + before`
 * (rows below their side's watermark are late: see `TwoSidedJoin`); with
 * `how: 'left'` a left row that never matched is emitted then, its right columns null.
 *
 * Checkpoint: one Arrow table in the output's layout, left rows then right rows, with
 * `join_side` and `join_matched` columns; both watermarks in the table's metadata.
 */
import type * as arrow from 'apache-arrow';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import type { Stream } from '../../core/stream.js';
import { Frame } from '../frame.js';
import { allRows } from './row-store.js';
import type { JoinSide } from './keys.js';
import { joinedFrame } from './layout.js';
import { joinStateTable, readJoinState } from './state.js';
import { Matches, SideBuffer, type FreedRows } from './side-buffer.js';
import { TwoSidedJoin, type JoinClockState, type JoinSettings, type SideBatch } from './two-sided.js';

export interface IntervalBounds {
  /** How far a left row's time may be before its partner's, in ms. */
  beforeMs: number;
  /** How far after. */
  afterMs: number;
}

const SIDES: readonly JoinSide[] = ['left', 'right'];

export class FrameIntervalJoinNode extends TwoSidedJoin implements Stateful<arrow.Table> {
  private readonly buffers: Record<JoinSide, SideBuffer>;
  /** Pairs found for one batch (reused: its arrays only grow). */
  private readonly found = new Matches();

  constructor(
    left: Stream<Frame>,
    right: Stream<Frame>,
    settings: JoinSettings,
    readonly bounds: IntervalBounds,
  ) {
    super([left, right], settings);
    this.buffers = { left: new SideBuffer(settings.left.schema, settings.left.dicts), right: new SideBuffer(settings.right.schema, settings.right.dicts) };
  }

  override get kind(): string {
    return 'sdfIntervalJoin';
  }

  override params(): Record<string, unknown> {
    // `window: null`: window joins were this node once; the parameter stays so fingerprints of existing jobs do not change.
    return { ...super.params(), before: this.bounds.beforeMs, after: this.bounds.afterMs, window: null };
  }

  /** Rows held for future partners, per side. */
  get held(): Record<JoinSide, number> {
    return { left: this.buffers.left.size, right: this.buffers.right.size };
  }

  protected waiting(): boolean {
    return this.buffers.left.size + this.buffers.right.size > 0;
  }

  /** Rows in memory, per side (held, plus freed rows in chunks that still hold others). */
  get retained(): Record<JoinSide, number> {
    return { left: this.buffers.left.retained, right: this.buffers.right.retained };
  }

  protected arrive(b: SideBatch, rows: Int32Array, meta: Meta): Emitted {
    const other: JoinSide = b.side === 'left' ? 'right' : 'left';
    const { beforeMs, afterMs } = this.bounds;
    // Partner times: a left row at t matches right rows in [t - after, t + before], a right row at t left rows in [t - before, t + after].
    const below = b.side === 'left' ? afterMs : beforeMs;
    const above = b.side === 'left' ? beforeMs : afterMs;
    const outer = this.settings.how === 'left';
    const theirs = this.buffers[other];
    const found = this.found;
    found.length = 0;
    const keep = new Int32Array(rows.length);
    let kept = 0;
    const matched = b.side === 'left' && outer ? new Uint8Array(b.frame.length) : undefined;
    const unmatchable: number[] = [];
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      const t = b.ts[i];
      const key = b.keys[i];
      if (key !== key || t !== t) {
        if (matched !== undefined) unmatchable.push(i);
        continue;
      }
      keep[kept++] = i;
      const before = found.length;
      theirs.probe(key, t - below, t + above, found, i, outer && other === 'left');
      if (matched !== undefined && found.length > before) matched[i] = 1;
    }
    this.buffers[b.side].add(b.frame, b.keys, b.ts, keep, kept, matched);
    const parts: Frame[] = [];
    if (found.length > 0) {
      const a = b.frame.take(found.mine.subarray(0, found.length));
      const p = theirs.take(found.theirs.subarray(0, found.length));
      parts.push(b.side === 'left' ? joinedFrame(this.settings.layout, a, p) : joinedFrame(this.settings.layout, p, a));
    }
    if (unmatchable.length > 0) parts.push(joinedFrame(this.settings.layout, b.frame.take(unmatchable), unmatchable.length));
    return this.emitParts(parts, meta);
  }

  protected advance(meta: Meta): Emitted {
    const outer = this.settings.how === 'left';
    this.buffers.right.freeBelow(this.watermark('left') - this.bounds.afterMs, false);
    const unmatched = this.buffers.left.freeBelow(this.watermark('right') - this.bounds.beforeMs, outer);
    return this.emitParts(this.unmatchedRows(unmatched), meta);
  }

  private unmatchedRows(freed: FreedRows | undefined): Frame[] {
    return freed === undefined ? [] : [joinedFrame(this.settings.layout, freed.frame, freed.frame.length)];
  }

  private emitParts(parts: Frame[], meta: Meta): Emitted {
    if (parts.length === 0) return undefined;
    return this.emit(Frame.concat(parts, this.settings.layout.schema, this.settings.layout.dicts), meta);
  }

  /** End of input: no partner will come; a left join emits the left rows that never matched. */
  override endOfInput(): Emitted {
    const unmatched = this.buffers.left.freeBelow(Infinity, this.settings.how === 'left');
    this.buffers.right.clear();
    this.rearm();
    return this.emitParts(this.unmatchedRows(unmatched), undefined);
  }

  snapshot(): arrow.Table {
    const held = { left: this.buffers.left.held(), right: this.buffers.right.held() };
    return joinStateTable(this.settings.layout, held, { kind: 'intervalJoin', version: 1, clock: this.clockState() });
  }

  restore(table: arrow.Table): void {
    const { held, meta } = readJoinState('intervalJoin', this.id, this.settings.layout, table);
    for (const side of SIDES) {
      const batch = this.prepare(side, held[side].frame);
      this.buffers[side].clear();
      this.buffers[side].add(batch.frame, batch.keys, batch.ts, allRows(batch.frame.length), batch.frame.length, held[side].matched);
    }
    this.restoreClock(meta.clock as JoinClockState);
    this.rearm();
  }
}
