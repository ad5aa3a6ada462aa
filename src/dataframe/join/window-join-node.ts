/**
 * Window join of two DataFrame streams whose rows carry a `window_start` column (placed in their
 * windows by `assignWindows`; a hopping window's row once per window): a left and a right row
 * join when their keys are equal and they share a window. Both sides' rows wait in their window
 * (`OpenWindow`) until both watermarks reach its end (no on-time row of it can still come on either side);
 * then the window is joined once, with a hash table, and freed. With `how: 'left'` a left row
 * that found no partner in its window is emitted then, its right columns null. A row with a null
 * key or time joins nothing (a left join emits it at once).
 *
 * Checkpoint (version 2): the rows of the open windows as in `state.ts`, window by window. Version 1,
 * written when the window join was an interval join that emitted each pair on arrival, restores:
 * its rows had met each other already (see `JoinedBefore`). The node keeps that join's kind, so
 * its id, and so checkpoints of jobs written before, stay the same.
 */
import type * as arrow from 'apache-arrow';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Stateful } from '../../core/stateful.js';
import type { Stream } from '../../core/stream.js';
import { Frame, toFloat64, type Schema } from '../frame.js';
import { downstreamDemand, type ColumnDemand, type Demand } from '../demand.js';
import type { JoinSide } from './keys.js';
import { joinedFrame, sourcesOf } from './layout.js';
import { allRows } from './row-store.js';
import { int32s } from '../slab.js';
import { Matches } from './side-buffer.js';
import { joinStateTable, readJoinState, type HeldRows } from './state.js';
import { TwoSidedJoin, type JoinClockState, type JoinSettings, type SideBatch, type SideSpec } from './two-sided.js';
import { KeyedRows, OpenWindow, type WindowSide } from './window-rows.js';

export interface WindowJoinShape {
  /** The column with each row's window start. */
  start: string;
  /** Window length, ms. */
  size: number;
}

const SIDES: readonly JoinSide[] = ['left', 'right'];
/** Which old windows in a version 2 checkpoint hold version 1 rows: [window start, left rows, right rows]. */
type JoinedBeforeMeta = [number, number, number][];

export class FrameWindowJoinNode extends TwoSidedJoin implements Stateful<arrow.Table>, ColumnDemand {
  /** Open windows by start, in the order they opened. */
  private windows = new Map<number, OpenWindow>();
  /** Rows per side of the last window closed: a new window is given that much room at once (no regrowing every window). */
  private lastSize: Record<JoinSide, number> = { left: 0, right: 0 };
  /** The arrays of the last window closed, for the next one to open (at most one window's worth held over). */
  private spare: Partial<Record<JoinSide, KeyedRows>> = {};
  /** A closing window's pairs (reused: its arrays keep the size of the largest window's). */
  private readonly pairs = new Matches();

  constructor(
    left: Stream<Frame>,
    right: Stream<Frame>,
    settings: JoinSettings,
    readonly shape: WindowJoinShape,
  ) {
    super([left, right], settings);
  }

  /** The output columns the nodes below read (undefined: all; the late rows are the inputs', not these). */
  private outputDemand(): ReadonlySet<string> | undefined {
    return downstreamDemand(this, this.late).cols;
  }

  /** What a window holds of a side: its keys and the columns of the output read below (the start is the window's). */
  private side(side: JoinSide): WindowSide {
    const { schema, dicts, keys }: SideSpec = this.settings[side];
    const names = new Set([...keys, ...sourcesOf(this.settings.layout, side, this.outputDemand())]);
    names.delete(this.shape.start);
    const held: Schema = {};
    for (const c of Object.keys(schema)) if (names.has(c)) held[c] = schema[c];
    const keyColumn = keys.length === 1 && (schema[keys[0]] === 'float64' || schema[keys[0]] === 'timestamp') ? keys[0] : undefined;
    return { schema, held, dicts, keyColumn, startColumn: this.shape.start };
  }

  /** The input columns of `upstream`'s side(s) the join reads: what its windows hold, the time and the start (all, when someone reads the late rows). */
  demandFrom(upstream: Stream<any>): Demand {
    if (this.late.downstreams.length > 0) return { cols: undefined, keeps: false };
    const cols = new Set<string>();
    SIDES.forEach((side, i) => {
      if (this.upstreams[i] !== upstream) return;
      for (const c of Object.keys(this.side(side).held)) cols.add(c);
      cols.add(this.shape.start);
      if (this.settings[side].on !== undefined) cols.add(this.settings[side].on!);
    });
    return { cols, keeps: false };
  }

  /** The kind of the interval join that did window joins before (node ids follow kinds). */
  override get kind(): string {
    return 'sdfIntervalJoin';
  }

  override params(): Record<string, unknown> {
    return { ...super.params(), before: 0, after: 0, window: this.shape };
  }

  /** Rows held in open windows, per side (all of them are in memory: `retained` is the same). */
  get held(): Record<JoinSide, number> {
    let left = 0;
    let right = 0;
    for (const w of this.windows.values()) (left += w.left.length), (right += w.right.length);
    return { left, right };
  }

  get retained(): Record<JoinSide, number> {
    return this.held;
  }

  protected waiting(): boolean {
    return this.windows.size > 0;
  }

  protected arrive(b: SideBatch, rows: Int32Array, meta: Meta): Emitted {
    const starts = toFloat64(b.frame.col(this.shape.start));
    let j = 0;
    while (j < rows.length && b.keys[rows[j]] === b.keys[rows[j]] && starts[rows[j]] === starts[rows[j]]) j++;
    if (j === rows.length) {
      this.place(b, starts, rows, rows.length); // no null key or time: the common case, no copy
      return undefined;
    }
    const keep = int32s(rows.length);
    let kept = 0;
    const unmatchable: number[] = [];
    for (j = 0; j < rows.length; j++) {
      const i = rows[j];
      if (b.keys[i] !== b.keys[i] || starts[i] !== starts[i]) {
        if (b.side === 'left' && this.settings.how === 'left') unmatchable.push(i);
      } else keep[kept++] = i;
    }
    this.place(b, starts, keep, kept);
    if (unmatchable.length === 0) return undefined;
    return this.emit(joinedFrame(this.settings.layout, b.frame.take(unmatchable), unmatchable.length, this.outputDemand()), meta);
  }

  /** Append rows `idx[0..n)` of a batch to their windows (most batches fall in one or two). */
  private place(b: SideBatch, starts: Float64Array, idx: Int32Array, n: number): void {
    if (n === 0) return;
    let j = 1;
    while (j < n && starts[idx[j]] === starts[idx[0]]) j++;
    if (j === n) return this.window(starts[idx[0]])[b.side].append(b.frame, b.keys, idx, n); // one window: most batches
    const met: OpenWindow[] = [];
    const which = int32s(n);
    for (let j = 0; j < n; j++) {
      const s = starts[idx[j]];
      let w = met.length > 0 && met[met.length - 1].start === s ? met.length - 1 : met.findIndex((x) => x.start === s);
      if (w < 0) (w = met.length), met.push(this.window(s));
      which[j] = w;
    }
    if (met.length === 1) met[0][b.side].append(b.frame, b.keys, idx, n);
    else {
      const mine = new Int32Array(n);
      met.forEach((win, w) => {
        let m = 0;
        for (let j = 0; j < n; j++) if (which[j] === w) mine[m++] = idx[j];
        win[b.side].append(b.frame, b.keys, mine, m);
      });
    }
  }

  private window(start: number): OpenWindow {
    let w = this.windows.get(start);
    if (w === undefined) {
      const rows = (side: JoinSide) => {
        const spare = this.spare[side];
        this.spare[side] = undefined;
        const held = this.side(side);
        return spare?.reuse(held, start) ?? new KeyedRows(held, start);
      };
      this.windows.set(start, (w = new OpenWindow(start, rows('left'), rows('right'))));
      for (const side of SIDES) w[side].reserve(this.lastSize[side] + (this.lastSize[side] >> 3));
    }
    return w;
  }

  /** Join and free every window both watermarks have reached the end of. */
  protected advance(meta: Meta): Emitted {
    const bound = Math.min(this.watermark('left'), this.watermark('right'));
    return this.close(bound, meta);
  }

  private close(bound: number, meta: Meta): Emitted {
    const ready = [...this.windows.values()].filter((w) => w.start + this.shape.size <= bound).sort((a, b) => a.start - b.start);
    if (ready.length === 0) return undefined;
    const { layout, how } = this.settings;
    const only = this.outputDemand();
    const cols = { left: sourcesOf(layout, 'left', only), right: sourcesOf(layout, 'right', only) };
    const parts: Frame[] = [];
    const pairs = this.pairs;
    for (const w of ready) {
      pairs.length = 0;
      this.windows.delete(w.start);
      this.lastSize = { left: w.left.length, right: w.right.length };
      const lost = w.join(pairs, how === 'left');
      if (pairs.length > 0) parts.push(joinedFrame(layout, w.left.take(pairs.mine.subarray(0, pairs.length), cols.left), w.right.take(pairs.theirs.subarray(0, pairs.length), cols.right), only));
      if (lost !== undefined && lost.length > 0) parts.push(joinedFrame(layout, w.left.take(lost, cols.left), lost.length, only));
      this.spare = { left: w.left, right: w.right };
    }
    if (parts.length === 0) return undefined;
    return this.emit(parts.length === 1 ? parts[0] : Frame.concat(parts), meta);
  }

  /** End of input: no row will come; every open window is joined now. */
  override endOfInput(): Emitted {
    const r = this.close(Infinity, undefined);
    this.rearm();
    return r;
  }

  snapshot(): arrow.Table {
    const open = [...this.windows.values()].sort((a, b) => a.start - b.start);
    const held = (side: JoinSide): HeldRows => {
      const { schema, dicts } = this.settings[side];
      // Columns nothing below reads are not held: they are written null.
      const frame = Frame.concat(
        open.map((w) => w[side].take(allRows(w[side].length), Object.keys(schema))),
        schema,
        dicts,
      );
      const matched = new Uint8Array(frame.length);
      if (side === 'left') {
        let at = 0;
        for (const w of open) {
          if (w.joinedBefore !== undefined) matched.set(w.joinedBefore.matched, at);
          at += w.left.length;
        }
      }
      return { frame, matched };
    };
    const joinedBefore: JoinedBeforeMeta = open.filter((w) => w.joinedBefore !== undefined).map((w) => [w.start, w.joinedBefore!.left, w.joinedBefore!.right]);
    return joinStateTable(this.settings.layout, { left: held('left'), right: held('right') }, { kind: 'windowJoin', version: 2, clock: this.clockState(), joinedBefore });
  }

  restore(table: arrow.Table): void {
    const { held, meta } = readJoinState(['windowJoin', 'intervalJoin'], this.id, this.settings.layout, table);
    this.windows = new Map();
    const matchedByWindow = new Map<number, number[]>();
    for (const side of SIDES) {
      const b = this.prepare(side, held[side].frame);
      const starts = toFloat64(b.frame.col(this.shape.start));
      this.place(b, starts, allRows(b.frame.length), b.frame.length);
      if (side === 'left') starts.forEach((s, i) => (matchedByWindow.get(s) ?? matchedByWindow.set(s, []).get(s)!).push(held.left.matched[i]));
    }
    // Version 1 (the interval form): every restored row met the others; version 2 lists the windows that still hold such rows.
    const before: JoinedBeforeMeta = meta.kind === 'intervalJoin' ? [...this.windows.values()].map((w) => [w.start, w.left.length, w.right.length]) : ((meta.joinedBefore as JoinedBeforeMeta | undefined) ?? []);
    for (const [start, left, right] of before) {
      const w = this.windows.get(start);
      if (w !== undefined) w.joinedBefore = { left, right, matched: Uint8Array.from((matchedByWindow.get(start) ?? []).slice(0, left)) };
    }
    this.restoreClock(meta.clock as JoinClockState);
    this.rearm();
  }
}
