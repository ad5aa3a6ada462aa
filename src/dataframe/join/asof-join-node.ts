/**
 * As-of join (a KTable / temporal-table join, pandas' `merge_asof`): each left row joined with
 * the latest right row of its key at or before its event time. The right side is a stream of
 * versions or a static table. A left row waits until the right watermark passes its time (no
 * version at or before it can still come), then is emitted; with `how: 'left'` (the default, as pandas)
 * also when no version matched, its right columns null. A `ttl` makes versions older than that
 * (before the left row's time) not match, and frees them.
 *
 * Checkpoint: the waiting left rows and the right versions, stacked in the output's layout (see
 * `state.ts`); a static table is code, not state, and is not written.
 */
import type * as arrow from 'apache-arrow';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import type { Stream } from '../../core/stream.js';
import { Frame } from '../frame.js';
import { joinedFrame } from './layout.js';
import { SideBuffer, type FreedRows } from './side-buffer.js';
import { allRows } from './row-store.js';
import { joinStateTable, readJoinState } from './state.js';
import { TwoSidedJoin, type JoinClockState, type JoinSettings, type SideBatch } from './two-sided.js';
import { VersionStore } from './versions.js';

export class AsofJoinNode extends TwoSidedJoin implements Stateful<arrow.Table> {
  private readonly pending: SideBuffer;
  private readonly versions: VersionStore;

  /** `right`: a stream of versions, or the rows of a static table (its watermark is +Infinity). */
  constructor(left: Stream<Frame>, right: Stream<Frame> | Frame, settings: JoinSettings, ttlMs = Infinity) {
    super(right instanceof Frame ? [left] : [left, right], { ...settings, right: { ...settings.right, complete: right instanceof Frame } });
    this.pending = new SideBuffer(settings.left.schema, settings.left.dicts);
    const { schema, keys, on } = settings.right;
    const asIs = (c: string | undefined) => (c !== undefined && (schema[c] === 'float64' || schema[c] === 'timestamp') ? c : undefined);
    // A dropped version's time is overwritten: the key is read from its column only if that is another column.
    const key = keys.length === 1 && keys[0] !== on ? asIs(keys[0]) : undefined;
    this.versions = new VersionStore(schema, settings.right.dicts, ttlMs, { key, time: asIs(on) });
    if (right instanceof Frame) {
      const b = this.prepare('right', right);
      this.versions.add(b.frame, b.keys, b.ts, allRows(b.frame.length));
    }
  }

  override get kind(): string {
    return 'sdfAsofJoin';
  }

  override params(): Record<string, unknown> {
    return { ...super.params(), ttl: Number.isFinite(this.versions.ttlMs) ? this.versions.ttlMs : null, table: this.settings.right.complete === true };
  }

  /** Left rows waiting for the right watermark, and right versions kept. */
  get held(): { left: number; right: number } {
    return { left: this.pending.size, right: this.versions.size };
  }

  protected waiting(): boolean {
    return this.pending.size > 0;
  }

  /** A static table never frees versions, so no left row can come too late for it. */
  protected override lateApplies(side: 'left' | 'right'): boolean {
    return side === 'right' || this.settings.right.complete !== true;
  }

  protected arrive(b: SideBatch, rows: Int32Array, meta: Meta): Emitted {
    if (b.side === 'right') {
      this.versions.add(b.frame, b.keys, b.ts, rows);
      return undefined;
    }
    const complete = this.watermark('right');
    const now = new Int32Array(rows.length);
    const wait = new Int32Array(rows.length);
    let nNow = 0;
    let nWait = 0;
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      if (b.ts[i] < complete || b.keys[i] !== b.keys[i] || b.ts[i] !== b.ts[i]) now[nNow++] = i;
      else wait[nWait++] = i;
    }
    this.pending.add(b.frame, b.keys, b.ts, wait, nWait);
    return this.lookup(b.frame, b.keys, b.ts, now.subarray(0, nNow), meta);
  }

  protected advance(meta: Meta): Emitted {
    const result = this.lookupFreed(this.pending.freeBelow(this.watermark('right'), true), meta);
    this.versions.prune(Math.min(this.watermark('left'), this.pending.minTs));
    return result;
  }

  private lookupFreed(ready: FreedRows | undefined, meta: Meta): Emitted {
    return ready === undefined ? undefined : this.lookup(ready.frame, ready.keys, ready.ts, allRows(ready.frame.length), meta);
  }

  /** Emit `rows` of a left batch with their latest versions (or nulls, for a left join). */
  private lookup(frame: Frame, keys: Float64Array, ts: Float64Array, rows: Int32Array, meta: Meta): Emitted {
    if (rows.length === 0) return undefined;
    const mine: number[] = [];
    const theirs: number[] = [];
    const unmatched: number[] = [];
    for (const i of rows) {
      const v = this.versions.latest(keys[i], ts[i]);
      if (v < 0) unmatched.push(i);
      else mine.push(i), theirs.push(v);
    }
    const { layout } = this.settings;
    const parts = mine.length === 0 ? [] : [joinedFrame(layout, frame.take(mine), this.versions.take(theirs))];
    if (this.settings.how === 'left' && unmatched.length > 0) parts.push(joinedFrame(layout, frame.take(unmatched), unmatched.length));
    if (parts.length === 0) return undefined;
    return this.emit(Frame.concat(parts, layout.schema, layout.dicts), meta);
  }

  /** End of input: no version will come; every waiting left row is looked up now. */
  override endOfInput(): Emitted {
    const ready = this.pending.freeBelow(Infinity, true);
    this.rearm();
    return this.lookupFreed(ready, undefined);
  }

  snapshot(): arrow.Table {
    const right = this.settings.right.complete ? Frame.empty(this.settings.right.schema, this.settings.right.dicts) : this.versions.held();
    const held = { left: this.pending.held(), right: { frame: right, matched: new Uint8Array(right.length) } };
    return joinStateTable(this.settings.layout, held, { kind: 'asofJoin', version: 1, clock: this.clockState() });
  }

  restore(table: arrow.Table): void {
    const { held, meta } = readJoinState('asofJoin', this.id, this.settings.layout, table);
    const left = this.prepare('left', held.left.frame);
    this.pending.clear();
    this.pending.add(left.frame, left.keys, left.ts, allRows(left.frame.length), left.frame.length);
    if (!this.settings.right.complete) {
      const right = this.prepare('right', held.right.frame);
      this.versions.clear();
      this.versions.add(right.frame, right.keys, right.ts, allRows(right.frame.length));
    }
    this.restoreClock(meta.clock as JoinClockState);
    this.rearm();
  }
}
