/**
 * What a DataFrame time window holds, and how rows get there.
 *
 * Tumbling and hopping aggregations keep one GroupedAggregation per open window (`AggContent`):
 * its groups are the keys of that window only, and it goes when the window closes, so keyed
 * state follows the live data. Sessions and row-level outputs (`filter` against the window's
 * aggregates) keep the window's rows (`RowContent`) and compute at emission.
 *
 * `placeRows` assigns each row of a batch to its windows: rows of one pane (gcd of size and
 * slide) share the same windows, so the windows are looked up once per run of rows, not once per row.
 */
import type * as arrow from 'apache-arrow';
import type { WindowBook, WindowEntry, WindowContent } from '../core/window-book.js';
import { Frame, isNullAt, toFloat64, valueAt, type Column } from './frame.js';
import { GroupedAggregation, type GroupedOptions } from './grouped.js';
import { Grouper } from './grouper.js';

/** Rows of one batch in one window. */
export interface Placed<B> {
  window: WindowEntry<B>;
  /** null: every row of the batch. */
  rows: number[] | null;
}

export interface Placement<B> {
  placed: Placed<B>[];
  /** Rows no live window takes (or with a null event time). */
  late: number[];
  /** The largest event time of the batch, and of its late rows. */
  maxTs: number;
  lateMaxTs: number;
}

/** The event times of a batch: rows with a null time, or for which `place(row, t)` finds no live window, are late. */
export function scanTimes(ts: Float64Array, place: (row: number, t: number) => boolean): Omit<Placement<unknown>, 'placed'> {
  const late: number[] = [];
  let maxTs = -Infinity;
  let lateMaxTs = NaN;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t !== t) {
      late.push(i);
      continue;
    }
    if (t > maxTs) maxTs = t;
    if (!place(i, t)) {
      late.push(i);
      if (!(t <= lateMaxTs)) lateMaxTs = t; // NaN until the first late row
    }
  }
  return { late, maxTs, lateMaxTs };
}

/** Place every row of `frame` into the live windows of `book` (keyed by `keyOf(row)` for sessions). */
export function placeRows<B>(book: WindowBook<B>, frame: Frame, on: string, live: (end: number) => boolean, keyOf?: (row: number) => unknown): Placement<B> {
  const byWindow = new Map<WindowEntry<B>, number[]>();
  const pane = book.shape.pane;
  let period = NaN;
  let windows: WindowEntry<B>[] = [];
  const times = scanTimes(toFloat64(frame.col(on)), (i, t) => {
    if (keyOf !== undefined) windows = book.place(keyOf(i), t, live);
    else if (Math.floor(t / pane) !== period) {
      period = Math.floor(t / pane);
      windows = book.place(null, t, live);
    }
    for (const w of windows) {
      let rows = byWindow.get(w);
      if (rows === undefined) byWindow.set(w, (rows = []));
      rows.push(i);
    }
    return windows.length > 0;
  });
  return { placed: [...byWindow].map(([window, rows]) => ({ window, rows: rows.length === frame.length ? null : rows })), ...times };
}

/** The rows `rows` of `frame` (null: all of them), without a copy when they are all of it. */
export function rowsOf(frame: Frame, rows: readonly number[] | null): Frame {
  return rows === null ? frame : frame.take(rows);
}

/** A batch's rows grouped once: local group ids and one row of keys per local group. */
interface BatchGroups {
  frame: Frame;
  grouper: Grouper;
  local: Int32Array;
  keys: Frame;
}

/**
 * Incremental aggregation per window (tumbling, hopping). A row of a hopping window is in
 * size / slide windows: the batch is grouped once (`groupBatch`), and each window then maps only
 * the batch's distinct keys to its own groups, not every row.
 */
export class AggContent implements WindowContent<GroupedAggregation> {
  private readonly keys: string[];
  /** One utf8 key: the window's grouper indexes by dictionary code already, nothing to share. */
  private readonly direct: boolean;
  private batch: BatchGroups | undefined;

  /** `shareBatch` false: each batch row goes to one window (panes), so grouping it once first would not pay. */
  constructor(
    readonly opts: GroupedOptions,
    shareBatch = true,
  ) {
    this.keys = opts.by === undefined ? [] : Array.isArray(opts.by) ? opts.by : [opts.by];
    this.direct = !shareBatch || this.keys.length === 0 || (this.keys.length === 1 && opts.schema[this.keys[0]] === 'utf8');
  }
  create(): GroupedAggregation {
    return new GroupedAggregation(this.opts);
  }
  merge(): void {
    throw new Error('aggregated windows do not merge (sessions keep rows)');
  }
  free(g: GroupedAggregation): void {
    g.release();
  }

  /** The state table of an aggregation without rows (a snapshot's columns when nothing holds rows). */
  emptyTable(): arrow.Table {
    const g = this.create();
    const t = g.snapshotStats({});
    g.release();
    return t;
  }

  /** Add `rows` of an aligned `frame` (null: all of them) to window `g`. */
  add(g: GroupedAggregation, frame: Frame, rows: readonly number[] | null, seq0: number): void {
    let gids: Int32Array;
    if (this.direct && rows !== null) {
      // Only these rows' keys become groups of `g`; the rows keep their batch positions (first/last order by them).
      const sub = g.assign(frame.take(rows));
      gids = new Int32Array(frame.length).fill(-1);
      for (let j = 0; j < rows.length; j++) gids[rows[j]] = sub[j];
    } else if (this.direct) gids = g.assign(frame);
    else {
      const b = this.groupBatch(frame);
      const mapped = g.assign(b.keys);
      gids = new Int32Array(frame.length).fill(-1);
      for (const i of rows ?? b.local.keys()) if (b.local[i] >= 0) gids[i] = mapped[b.local[i]];
    }
    g.add(frame, gids, seq0);
  }

  private groupBatch(frame: Frame): BatchGroups {
    if (this.batch?.frame === frame) return this.batch;
    this.batch?.grouper.release();
    const grouper = new Grouper(this.keys, this.opts.schema, this.opts.dicts, this.opts.dropna ?? true);
    const local = grouper.assign(frame);
    const first = new Int32Array(grouper.nGroups).fill(-1);
    for (let i = 0; i < local.length; i++) if (local[i] >= 0 && first[local[i]] < 0) first[local[i]] = i;
    return (this.batch = { frame, grouper, local, keys: frame.select(this.keys).take(first) });
  }
}

/** The window's rows, for sessions and row-level outputs. */
export interface RowBucket {
  parts: Frame[];
}

export const rowContent: WindowContent<RowBucket> = {
  create: () => ({ parts: [] }),
  merge(into, from) {
    into.parts.push(...from.parts);
  },
  free() {},
};

/** A row's key as one comparable value (sessions are per key): the key columns' values, as JSON when several. */
export function rowKeyOf(frame: Frame, by: readonly string[]): (row: number) => unknown {
  const cols: Column[] = by.map((k) => frame.col(k));
  if (cols.length === 1) return (i) => (isNullAt(cols[0], i) ? null : valueAt(cols[0], i));
  return (i) => JSON.stringify(cols.map((c) => valueAt(c, i)));
}
