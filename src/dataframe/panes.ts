/**
 * Pane-based (sliced) hopping windows, as Flink slices them: a hopping window of size S and slide
 * L is a union of panes of gcd(S, L). Each row is added to the one pane its event time falls in,
 * and a window's result is its S / gcd panes' partial aggregates merged, instead of each row being
 * added to S / L windows.
 *
 * The merge goes through one key space for all panes (`KeySpace`): each pane maps its groups to
 * dense key-space ids once (by key: a hash lookup per group and pane, not per group and window),
 * and a window's panes are then merged by those ids into the key space's statistics, cleared per
 * window. The key space keeps its groups sorted as they arrive, so a window's result sorts only
 * the keys new since the last one. It starts afresh from the live panes when most of its keys are
 * in none, so it follows the live keys.
 *
 * A pane lives while a window that covers it does: each window counts as a reference to its panes
 * from its creation (`create`) until the book frees it (`free`).
 */
import type * as arrow from 'apache-arrow';
import type { WindowBook, WindowContent, WindowEntry } from '../core/window-book.js';
import type { GroupedAggregation } from './grouped.js';
import { scanTimes, type AggContent, type Placement } from './time-window-state.js';
import { toFloat64, type Frame } from './frame.js';

/** A hopping window's content: its bounds (its aggregate lives in the panes it covers). */
export interface PaneWindow {
  readonly start: number;
  readonly end: number;
  /** Its result, fixed once the window takes no more rows while its panes still can (see PaneAggregateNode). */
  sealed?: Frame;
}

interface Pane {
  /** Windows covering this pane that are still in the book. */
  refs: number;
  /** Null until a row falls into it. */
  agg: GroupedAggregation | null;
  /** Key-space id of each of its first `mapped` groups. */
  ids: Int32Array;
  mapped: number;
}

/** Below this many keys in no pane, the key space is not started afresh (tests lower it). */
export const keySpaceRestart = { minDead: 1024 };

/** The groups of every pane as one set of dense ids, and the statistics one window's panes merge into. */
class KeySpace {
  readonly agg: GroupedAggregation;
  /** Mapped pane groups per id: an id with none is a key no live pane has. */
  private panes = new Int32Array(16);
  /** Ids no live pane has. */
  private dead = 0;

  /** `expect`: about how many keys it will hold. */
  constructor(content: AggContent, expect = 0) {
    this.agg = content.create();
    this.agg.grouper.reserve(expect);
  }

  get size(): number {
    return this.agg.grouper.nGroups;
  }

  get live(): number {
    return this.size - this.dead;
  }

  /** Two thirds of its keys are in no pane: time to start afresh (each restart maps every live pane's groups again). */
  get stale(): boolean {
    return this.dead > keySpaceRestart.minDead && this.dead > 2 * this.live;
  }

  /** Give the pane's groups that have none their ids. */
  map(pane: Pane): void {
    const agg = pane.agg!;
    const n = agg.grouper.nGroups;
    if (pane.mapped === n) return;
    const known = this.agg.grouper.nGroups;
    const fresh = this.agg.groupsOf(agg, pane.mapped);
    pane.ids = grown(pane.ids, n, pane.mapped);
    pane.ids.set(fresh, pane.mapped);
    pane.mapped = n;
    this.panes = grown(this.panes, this.agg.grouper.nGroups, known);
    for (const id of fresh) if (id >= 0 && this.panes[id]++ === 0 && id < known) this.dead--;
  }

  /** The pane is gone: its groups no longer keep their ids live. */
  unmap(pane: Pane): void {
    for (let i = 0; i < pane.mapped; i++) {
      const id = pane.ids[i];
      if (id >= 0 && --this.panes[id] === 0) this.dead++;
    }
  }

  /** The merged statistics of `panes` as a result frame, sorted by key (groups without rows left out). */
  result(panes: readonly Pane[]): Frame {
    const agg = this.agg;
    agg.clearStats();
    for (const pane of panes) {
      this.map(pane);
      agg.mergeFrom(pane.agg!, pane.ids.subarray(0, pane.mapped));
    }
    return agg.result(true);
  }
}

/** `a` with room for `n` entries and its first `keep` kept (the rest zero). */
function grown(a: Int32Array, n: number, keep: number): Int32Array {
  if (a.length >= n) return a;
  const b = new Int32Array(Math.max(16, 2 * n));
  b.set(a.subarray(0, keep));
  return b;
}

export class PaneStore implements WindowContent<PaneWindow> {
  private readonly panes = new Map<number, Pane>();
  private keySpace: KeySpace;

  constructor(
    readonly width: number,
    readonly agg: AggContent,
  ) {
    this.keySpace = new KeySpace(agg);
  }

  /** Keys of the key space, of which `liveKeys` are in a pane (the rest waits for a restart). */
  get keys(): number {
    return this.keySpace.size;
  }

  get liveKeys(): number {
    return this.keySpace.live;
  }

  /** The start of the pane event time `t` falls in. */
  paneOf(t: number): number {
    return Math.floor(t / this.width) * this.width;
  }

  create(start: number, end: number): PaneWindow {
    for (let p = start; p < end; p += this.width) {
      const pane = this.panes.get(p);
      if (pane === undefined) this.panes.set(p, { refs: 1, agg: null, ids: new Int32Array(0), mapped: 0 });
      else pane.refs++;
    }
    return { start, end };
  }

  merge(): void {
    throw new Error('hopping windows do not merge (sessions keep rows)');
  }

  free(w: PaneWindow): void {
    for (let p = w.start; p < w.end; p += this.width) {
      const pane = this.panes.get(p)!;
      if (--pane.refs > 0) continue;
      this.keySpace.unmap(pane);
      pane.agg?.release();
      this.panes.delete(p);
    }
    if (this.keySpace.stale) this.restartKeys();
  }

  /** A key space of the live panes' keys only: the panes map their groups again as their windows are computed. */
  private restartKeys(): void {
    this.keySpace.agg.release();
    this.keySpace = new KeySpace(this.agg, this.keySpace.live);
    for (const pane of this.panes.values()) pane.mapped = 0;
  }

  /** Add `rows` of an aligned `frame` (null: all of them) to the pane starting at `start` (a live window covers it). */
  add(start: number, frame: Frame, rows: readonly number[] | null, seq0: number): void {
    const pane = this.panes.get(start)!;
    this.agg.add((pane.agg ??= this.agg.create()), frame, rows, seq0);
  }

  /** A window's result: its panes merged, sorted by key. */
  result(w: PaneWindow): Frame {
    const panes: Pane[] = [];
    for (let p = w.start; p < w.end; p += this.width) {
      const pane = this.panes.get(p);
      if (pane?.agg) panes.push(pane);
    }
    return this.keySpace.result(panes);
  }

  /** Panes holding rows, by start (snapshots). */
  filled(): { start: number; agg: GroupedAggregation }[] {
    const out: { start: number; agg: GroupedAggregation }[] = [];
    for (const [start, pane] of this.panes) if (pane.agg !== null) out.push({ start, agg: pane.agg });
    return out.sort((a, b) => a.start - b.start);
  }

  /** Put back a pane's rows from a snapshot (after its windows were restored, which made the pane). */
  restorePane(start: number, table: arrow.Table): void {
    const pane = this.panes.get(start);
    if (pane === undefined) throw new Error(`restore: pane [${start}, ${start + this.width}) is in no window of the state`);
    const agg = this.agg.create();
    agg.restoreStats(table);
    pane.agg = agg;
  }
}

/** Where a batch's rows go: the windows they change (`placed`, rows unused) and each pane's rows (null: all). */
export interface PanePlacement extends Placement<PaneWindow> {
  panes: { start: number; rows: number[] | null }[];
}

/**
 * Place each row of `frame` into its pane, if a live window covers it (else it is late). The
 * windows are looked up once per run of rows in one pane; a batch whose rows are all in one
 * live pane (most batches: a pane spans many of them) is placed whole, with no list of its rows.
 */
export function placePanes(book: WindowBook<PaneWindow>, store: PaneStore, frame: Frame, on: string, live: (end: number) => boolean): PanePlacement {
  const ts = toFloat64(frame.col(on));
  const range = timeRange(ts);
  if (range !== undefined && store.paneOf(range.min) === store.paneOf(range.max)) {
    const windows = book.place(null, ts[0], live);
    if (windows.length > 0) {
      const panes = [{ start: store.paneOf(range.min), rows: null }];
      return { placed: windows.map((window) => ({ window, rows: null })), panes, late: [], maxTs: range.max, lateMaxTs: NaN };
    }
  }
  const byPane = new Map<number, number[]>();
  const changed = new Set<WindowEntry<PaneWindow>>();
  let pane = NaN;
  let rows: number[] | undefined;
  const times = scanTimes(ts, (i, t) => {
    const p = store.paneOf(t);
    if (p !== pane) {
      pane = p;
      const windows = book.place(null, t, live);
      for (const w of windows) changed.add(w);
      rows = undefined;
      if (windows.length > 0) {
        rows = byPane.get(p);
        if (rows === undefined) byPane.set(p, (rows = []));
      }
    }
    rows?.push(i);
    return rows !== undefined;
  });
  const panes = [...byPane].map(([start, r]) => ({ start, rows: r.length === frame.length ? null : r }));
  return { placed: [...changed].map((window) => ({ window, rows: null })), panes, ...times };
}

/** The smallest and largest of `ts`; undefined when it is empty or has a null. */
function timeRange(ts: Float64Array): { min: number; max: number } | undefined {
  if (ts.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t !== t) return undefined;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { min, max };
}
