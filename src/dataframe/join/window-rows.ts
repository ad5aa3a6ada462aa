/**
 * The rows of one open window of a window join, both sides columnar (a `RowStore` and a key id
 * per row), joined once when the window closes: a hash table on the smaller side's keys, probed
 * with the other side's rows (as pandas' merge at a window's end), instead of a probe per batch.
 *
 * Rows restored from a version 1 checkpoint (a window join that emitted each pair when its later
 * row arrived) are the first rows of each side here: the pairs among them were emitted before
 * the checkpoint, and `joinedBefore` says how many there are and which of those left rows matched.
 */
import type { Column, Frame, Schema } from '../frame.js';
import { nullColumn } from './layout.js';
import type { Dictionary } from '../dictionary.js';
import { capacityFor, grown, RowStore } from './row-store.js';
import { RowIndex } from './row-index.js';
import type { Matches } from './side-buffer.js';

/**
 * One side's rows of one window, with their key ids (read from the key column itself when it is
 * one float64 column). Only the side's `held` columns are stored; the window start column is
 * not (it is the window's), `take` adds it.
 */
export class KeyedRows {
  readonly rows: RowStore;
  /** Key ids per row, when no column holds them as they are. */
  private own: Float64Array | undefined;
  private readonly keyColumn: string | undefined;

  constructor(
    private side: WindowSide,
    private start: number,
  ) {
    this.rows = new RowStore(side.held, side.dicts);
    this.keyColumn = side.keyColumn;
    if (this.keyColumn === undefined) this.own = new Float64Array(0);
  }

  /** These arrays, emptied, for the window at `start` when it holds the same columns of `side` (else undefined): no allocation per window. */
  reuse(side: WindowSide, start: number): KeyedRows | undefined {
    if (side.keyColumn !== this.side.keyColumn || Object.keys(side.held).join() !== Object.keys(this.side.held).join()) return undefined;
    this.rows.clear();
    this.side = side;
    this.start = start;
    return this;
  }

  /**
   * Rows `idx` as a frame of the columns `cols` (the window start among them, if at all): null
   * for one not held (a column nothing read when the window opened: the graph changed since, or a restore).
   */
  take(idx: ArrayLike<number>, cols: readonly string[]): Frame {
    const { schema, held, dicts, startColumn } = this.side;
    const extra: Record<string, Column> = {};
    for (const c of cols) {
      if (c === startColumn) extra[c] = { dtype: 'timestamp', data: new Float64Array(idx.length).fill(this.start) };
      else if (!(c in held)) extra[c] = nullColumn(schema[c], idx.length, dicts[c]);
    }
    return this.rows.take(idx, cols).withColumns(extra);
  }

  get length(): number {
    return this.rows.length;
  }

  /** Each row's key id (valid until the next append). */
  get keys(): Float64Array {
    return this.own ?? this.rows.floats(this.keyColumn!);
  }

  /** Room for `n` rows in all (a window expected to be as large as the one before it). */
  reserve(n: number): void {
    this.rows.reserve(n);
    if (this.own !== undefined && n > this.own.length) this.own = grown(this.own, n, this.rows.length);
  }

  /** Append rows `idx[0..n)` of `frame`, whose key ids are `keys` (per row of `frame`). */
  append(frame: Frame, keys: Float64Array, idx: ArrayLike<number>, n: number): void {
    const at = this.rows.length;
    this.rows.append(frame, idx, n);
    if (this.own === undefined) return;
    const cap = capacityFor(at + n, this.own.length);
    if (cap !== this.own.length) this.own = grown(this.own, cap, at);
    for (let j = 0; j < n; j++) this.own[at + j] = keys[idx[j]];
  }
}

/** A side of a window join: its columns, those its windows hold, the column that holds its key ids as they are (one float64 key), if any, and the window start column. */
export interface WindowSide {
  schema: Schema;
  held: Schema;
  dicts: Record<string, Dictionary>;
  keyColumn: string | undefined;
  startColumn: string;
}

/** Rows restored from a version 1 checkpoint: the first `left` and `right` rows, already joined with each other. */
export interface JoinedBefore {
  left: number;
  right: number;
  /** Per restored left row: it found a partner before the checkpoint. */
  matched: Uint8Array;
}

export class OpenWindow {
  joinedBefore: JoinedBefore | undefined;

  constructor(
    readonly start: number,
    readonly left: KeyedRows,
    readonly right: KeyedRows,
  ) {}

  /**
   * Every pair of a left and a right row with equal keys, into `pairs` (`mine`: left rows,
   * `theirs`: right rows); returns the left rows that found none (when `wantUnmatched`).
   */
  join(pairs: Matches, wantUnmatched: boolean): Int32Array | undefined {
    const before = this.joinedBefore;
    const oldLeft = before?.left ?? 0;
    const oldRight = before?.right ?? 0;
    const nl = this.left.length;
    const hit = wantUnmatched ? new Uint8Array(nl) : undefined;
    if (hit !== undefined && before !== undefined) hit.set(before.matched);
    if (nl > 0 && this.right.length > 0) {
      const buildLeft = nl <= this.right.length;
      const build = buildLeft ? this.left : this.right;
      const probe = buildLeft ? this.right : this.left;
      const { index, next } = chains(build);
      const buildKeys = build.keys;
      const oldBuild = buildLeft ? oldLeft : oldRight;
      const oldProbe = buildLeft ? oldRight : oldLeft;
      const keys = probe.keys;
      for (let p = 0; p < probe.length; p++) {
        // Restored rows met each other before the checkpoint: only their pairs with newer rows are new.
        for (let b = index.get(keys[p], buildKeys); b >= 0; b = next[b]) {
          if (p < oldProbe && b < oldBuild) continue;
          const l = buildLeft ? b : p;
          pairs.push(l, buildLeft ? p : b);
          if (hit !== undefined) hit[l] = 1;
        }
      }
    }
    if (hit === undefined) return undefined;
    let n = 0;
    for (let i = 0; i < nl; i++) if (hit[i] === 0) n++;
    const lost = new Int32Array(n);
    n = 0;
    for (let i = 0; i < nl; i++) if (hit[i] === 0) lost[n++] = i;
    return lost;
  }
}

/** The rows of each key of `side` chained in row order: the first per key in `index`, `next` per row. */
function chains(side: KeyedRows): { index: RowIndex; next: Int32Array } {
  const index = new RowIndex(side.length);
  const next = new Int32Array(side.length);
  const keys = side.keys;
  for (let r = side.length - 1; r >= 0; r--) {
    next[r] = index.get(keys[r], keys);
    index.set(r, keys);
  }
  return { index, next };
}
