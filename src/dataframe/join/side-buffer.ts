/**
 * The held rows of one side of a join, columnar: the rows in a `RowStore`, and per row its key
 * id, its event time (NaN once freed) and whether it matched yet (for outer joins). Rows of a
 * key are chained newest first (a `RowIndex` holds each key's newest row, `prev` per row the
 * next), so an index costs 5 to 11 bytes per key and four per row, not an array per key.
 *
 * Rows are freed by event time (`freeBelow`), found through the row ranges of the batches they
 * came in (each range knows its smallest live time, so ranges with nothing to free are skipped).
 * Freed rows stay in place until they are a third of the store; then the live rows are moved to
 * the front and the chains rebuilt, so memory stays within 1.5× of the rows the join must hold.
 */
import { Frame, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { capacityFor, grown, RowStore } from './row-store.js';
import { RowIndex } from './row-index.js';

/** Index pairs found by `probe`: row `mine[j]` of the probing batch with held row `theirs[j]`. */
export class Matches {
  mine = new Int32Array(64);
  theirs = new Int32Array(64);
  length = 0;

  push(mine: number, theirs: number): void {
    if (this.length === this.mine.length) {
      this.mine = grown(this.mine, this.length * 2, this.length);
      this.theirs = grown(this.theirs, this.length * 2, this.length);
    }
    this.mine[this.length] = mine;
    this.theirs[this.length++] = theirs;
  }
}

/** Freed rows handed back (outer joins emit them): the rows, with their key ids and times. */
export interface FreedRows {
  frame: Frame;
  keys: Float64Array;
  ts: Float64Array;
}

/** The rows of one appended batch: [start, end), with the smallest time of a live row among them. */
interface Range {
  start: number;
  end: number;
  minTs: number;
}

export class SideBuffer {
  private readonly rows: RowStore;
  private keys = new Float64Array(0);
  private ts = new Float64Array(0);
  private matched = new Uint8Array(0);
  private prev = new Int32Array(0);
  private index = new RowIndex();
  private ranges: Range[] = [];
  private live = 0;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
  ) {
    this.rows = new RowStore(schema, dicts);
  }

  /** Rows held (not yet freed). */
  get size(): number {
    return this.live;
  }

  /** Rows in memory: held, plus freed rows not yet compacted away. */
  get retained(): number {
    return this.rows.length;
  }

  /**
   * Keep rows `rows[0..n)` of `frame` (aligned to this side's dictionaries; ascending, all of
   * them when `n` is the frame's length); `keys`, `ts` and `matched` are per row of `frame`.
   */
  add(frame: Frame, keys: Float64Array, ts: Float64Array, rows: ArrayLike<number>, n: number, matched?: Uint8Array): void {
    if (n === 0) return;
    const at = this.rows.length;
    this.reserve(at + n);
    this.rows.append(frame, rows, n);
    let minTs = Infinity;
    for (let j = 0; j < n; j++) {
      const r = rows[j];
      const row = at + j;
      const t = ts[r];
      if (t < minTs) minTs = t;
      this.keys[row] = keys[r];
      this.ts[row] = t;
      this.matched[row] = matched === undefined ? 0 : matched[r];
      this.link(row);
    }
    this.ranges.push({ start: at, end: at + n, minTs });
    this.live += n;
  }

  /**
   * Every held row with key `key` whose time is in [lo, hi], as pairs (`mine`, that row) into
   * `out`. `markMatched` records that the row found a partner (outer joins emit the others when freed).
   */
  probe(key: number, lo: number, hi: number, out: Matches, mine: number, markMatched: boolean): void {
    for (let r = this.index.get(key, this.keys); r >= 0; r = this.prev[r]) {
      const t = this.ts[r];
      if (t >= lo && t <= hi) {
        if (markMatched) this.matched[r] = 1;
        out.push(mine, r);
      }
    }
  }

  /** Held rows `idx` as a frame of this side. */
  take(idx: ArrayLike<number>): Frame {
    return this.rows.take(idx);
  }

  /** The smallest event time held (Infinity when empty). */
  get minTs(): number {
    let min = Infinity;
    for (const r of this.ranges) if (r.minTs < min) min = r.minTs;
    return min;
  }

  /** Free every row with event time below `bound`; returns the freed rows that never matched when `wantUnmatched`. */
  freeBelow(bound: number, wantUnmatched: boolean): FreedRows | undefined {
    const lost: number[] = [];
    const lostTs: number[] = [];
    let emptied = false;
    for (const range of this.ranges) {
      if (!(range.minTs < bound)) continue;
      let minTs = Infinity;
      for (let i = range.start; i < range.end; i++) {
        const t = this.ts[i];
        if (t < bound) {
          this.ts[i] = NaN;
          this.live--;
          if (wantUnmatched && this.matched[i] === 0) lost.push(i), lostTs.push(t);
        } else if (t < minTs) minTs = t;
      }
      range.minTs = minTs;
      if (minTs === Infinity) emptied = true;
    }
    const freed = lost.length === 0 ? undefined : { frame: this.rows.take(lost), keys: Float64Array.from(lost, (i) => this.keys[i]), ts: Float64Array.from(lostTs) };
    if (emptied) this.ranges = this.ranges.filter((r) => r.minTs !== Infinity);
    if (3 * (this.rows.length - this.live) > this.rows.length && this.rows.length > 8) this.compact();
    return freed;
  }

  /** All held rows, with their matched flags, in one frame (the checkpoint). */
  held(): { frame: Frame; matched: Uint8Array } {
    const idx = this.liveRows();
    return { frame: this.rows.take(idx), matched: Uint8Array.from(idx, (i) => this.matched[i]) };
  }

  clear(): void {
    this.rows.clear();
    this.ranges = [];
    this.live = 0;
    this.index.clear();
  }

  private liveRows(): Int32Array {
    const idx = new Int32Array(this.live);
    let n = 0;
    for (const r of this.ranges) for (let i = r.start; i < r.end; i++) if (this.ts[i] === this.ts[i]) idx[n++] = i;
    return idx;
  }

  /** Put `row` at the head of its key's chain. */
  private link(row: number): void {
    this.prev[row] = this.index.get(this.keys[row], this.keys);
    this.index.set(row, this.keys);
  }

  private reserve(need: number): void {
    const cap = capacityFor(need, this.ts.length);
    if (cap === this.ts.length) return;
    const used = this.rows.length;
    this.keys = grown(this.keys, cap, used);
    this.ts = grown(this.ts, cap, used);
    this.matched = grown(this.matched, cap, used);
    this.prev = grown(this.prev, cap, used);
  }

  /** Move the live rows to the front (in order, so each batch's range stays one range) and rebuild the chains. */
  private compact(): void {
    const before = this.rows.length;
    const idx = this.liveRows();
    const n = idx.length;
    const ranges: Range[] = [];
    let j = 0;
    for (const r of this.ranges) {
      const start = j;
      while (j < n && idx[j] < r.end) j++;
      ranges.push({ start, end: j, minTs: r.minTs });
    }
    this.rows.keep(idx, n);
    for (let k = 0; k < n; k++) {
      this.keys[k] = this.keys[idx[k]];
      this.ts[k] = this.ts[idx[k]];
      this.matched[k] = this.matched[idx[k]];
    }
    this.index.clear();
    for (let k = 0; k < n; k++) this.link(k);
    this.ranges = ranges;
    this.shrink(n, Math.max(n, before >> 1));
  }

  /**
   * After a compaction to `n` rows: give back arrays more than twice the room for `room` rows (half the rows
   * before it, at least: a window join that frees all its rows at each window's end does not
   * shrink and regrow every window; a burst is given back over two compactions).
   */
  private shrink(n: number, room: number): void {
    const cap = capacityFor(room, 0);
    if (2 * cap > this.ts.length) return;
    this.keys = grown(this.keys, cap, n);
    this.ts = grown(this.ts, cap, n);
    this.matched = grown(this.matched, cap, n);
    this.prev = grown(this.prev, cap, n);
    this.rows.shrink(cap);
  }
}
