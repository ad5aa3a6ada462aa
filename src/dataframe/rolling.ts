/**
 * Per-row rolling and expanding aggregations that carry history across batches
 * (pandas `s.rolling(n)`, `s.rolling('5s', on=ts)`, `s.expanding()`; streamz `Rolling`):
 * update(frame) returns one output row per input row, using rows of earlier batches.
 *
 * - rolling(n): the last n rows (including null rows); min_periods defaults to n.
 * - rolling('5s', on): rows with ts in (t - 5s, t] (closed='right'); min_periods defaults to 1;
 *   ts must be non-decreasing and non-null (pandas raises too).
 * - expanding(): all rows so far; min_periods defaults to 1.
 * sum/mean/min/max/var/std output a value when the number of non-null values in the window
 * >= min_periods (var/std also need 2; sum of zero values with min_periods 0 is 0).
 * count follows pandas 2: the non-null count, shown once the window holds >= min_periods rows.
 * ±Infinity counts as a missing value, as pandas' `_prep_values` makes it. Sums are Neumaier-compensated with add/remove; var/std use Welford add/remove (ddof = 1);
 * min/max use monotonic deques; as in pandas, var/std are exactly 0 when all values in the window are equal. After 4 windows' worth of removals the running sums are recomputed
 * from the window, so rounding drift cannot build up over a long stream.
 */
import * as arrow from 'apache-arrow';
import { Frame, type Column, numericColumn } from './frame.js';
import { parseDuration } from '../core/duration.js';
import { compensation } from './compensated.js';
import { SeqRing } from './ring.js';
import { COMP, NOBS, REMOVED, rollSums, SUM, windowSums } from './rolling-sums.js';
import { float64s } from './slab.js';
import { readMeta, withMeta } from './grouped.js';

export type RollOp = 'sum' | 'mean' | 'min' | 'max' | 'count' | 'var' | 'std' | 'median' | 'quantile';
export const ROLL_OPS: readonly RollOp[] = ['sum', 'mean', 'min', 'max', 'count', 'var', 'std', 'median', 'quantile'];

export interface RollingOptions {
  column: string;
  /** row count, or a duration ('5s') with `on`; omit for expanding */
  window?: number | string;
  on?: string;
  ops: RollOp[];
  minPeriods?: number;
  /** output names per op; default: the column name for a single op, else `${column}_${op}` */
  names?: Partial<Record<RollOp, string>>;
  /** var and std divide by nobs − ddof (default 1, pandas') */
  ddof?: number;
  /** the `quantile` op's q in [0, 1] (linear interpolation, pandas' default) */
  quantile?: number;
}

export class RollingState {
  readonly column: string;
  readonly ops: RollOp[];
  readonly n?: number;
  readonly spanMs?: number;
  readonly on?: string;
  readonly minPeriods: number;
  readonly expanding: boolean;
  readonly ddof: number;
  readonly quantile: number;
  /** The input columns `update` reads: the value column, and `on` for a time window. */
  readonly reads: readonly string[];
  private readonly outNames: string[];
  private vals: SeqRing;
  private ts = new SeqRing();
  private minQ = new SeqRing();
  private maxQ = new SeqRing();
  private seq = 0; // rows seen
  private nobs = 0;
  private sum = 0;
  private comp = 0;
  private mean = 0;
  private m2 = 0;
  private runMin = NaN;
  private runMax = NaN;
  private lastTs = -Infinity;
  private removedSinceRebuild = 0;
  // pandas' num_consecutive_same_value: when all values in the window are equal, var is exactly 0
  private sameRun = 0;
  private lastVal = NaN;
  // Only the statistics some op reads are maintained (rolling(100).mean() skips deques and Welford).
  private readonly needVar: boolean;
  private readonly needMin: boolean;
  private readonly needMax: boolean;
  /** rolling(n) with only sum/mean/count: `updateSums`' loop. */
  private readonly sumsOnly: boolean;
  /** `rollSums`' running sums, between the calls. */
  private readonly acc = new Float64Array(4);

  constructor(opts: RollingOptions) {
    this.column = opts.column;
    this.ops = opts.ops;
    for (const op of opts.ops) if (!ROLL_OPS.includes(op)) throw new Error(`unknown rolling aggregation "${op}"`);
    this.expanding = opts.window === undefined;
    if (typeof opts.window === 'number') {
      if (!(Number.isInteger(opts.window) && opts.window > 0)) throw new Error(`rolling window must be a positive integer, got ${opts.window}`);
      this.n = opts.window;
    } else if (typeof opts.window === 'string') {
      if (!opts.on) throw new Error(`rolling('${opts.window}') needs 'on' (a timestamp column)`);
      this.spanMs = parseDuration(opts.window);
      this.on = opts.on;
    }
    this.minPeriods = opts.minPeriods ?? (this.n !== undefined ? this.n : 1);
    this.ddof = opts.ddof ?? 1;
    this.quantile = opts.ops.includes('median') ? 0.5 : (opts.quantile ?? 0.5);
    if (opts.ops.includes('median') && opts.ops.includes('quantile') && this.quantile !== 0.5) throw new Error('rolling: median and quantile(q ≠ 0.5) cannot share one node');
    if (!(this.quantile >= 0 && this.quantile <= 1)) throw new Error(`rolling quantile must be in [0, 1], got ${this.quantile}`);
    if (this.expanding && (opts.ops.includes('median') || opts.ops.includes('quantile'))) throw new Error('expanding(): median and quantile need the rows; use rolling(n)');
    this.needVar = this.ops.includes('var') || this.ops.includes('std');
    this.needMin = this.ops.includes('min');
    this.needMax = this.ops.includes('max');
    this.outNames = this.ops.map((op) => opts.names?.[op] ?? (this.ops.length === 1 ? this.column : `${this.column}_${op}`));
    this.reads = this.on !== undefined ? [this.column, this.on] : [this.column];
    this.vals = new SeqRing(this.n !== undefined ? this.n + 1 : 16);
    this.sumsOnly = this.n !== undefined && this.ops.every((op) => op === 'sum' || op === 'mean' || op === 'count');
  }

  private addValue(x: number, s: number): void {
    if (x !== x) return;
    this.nobs++;
    const t = this.sum + x;
    this.comp += compensation(this.sum, x, t);
    this.sum = t;
    if (this.needVar) {
      if (x === this.lastVal) this.sameRun++;
      else {
        this.sameRun = 1;
        this.lastVal = x;
      }
      const d = x - this.mean;
      this.mean += d / this.nobs;
      this.m2 += d * (x - this.mean);
    }
    if (this.expanding) {
      if (!(this.runMin <= x)) this.runMin = x;
      if (!(this.runMax >= x)) this.runMax = x;
      return;
    }
    const v = this.vals;
    if (this.needMin) {
      while (this.minQ.size > 0 && v.at(this.minQ.back()) >= x) this.minQ.pop();
      this.minQ.push(s);
    }
    if (this.needMax) {
      while (this.maxQ.size > 0 && v.at(this.maxQ.back()) <= x) this.maxQ.pop();
      this.maxQ.push(s);
    }
  }

  private removeOldest(): void {
    const s = this.vals.head;
    const x = this.vals.shift();
    if (this.on !== undefined) this.ts.shift();
    if (x !== x) return;
    this.removedSinceRebuild++;
    const c = --this.nobs;
    if (c === 0) {
      this.sum = this.comp = this.mean = this.m2 = 0;
    } else {
      const t = this.sum - x;
      this.comp += compensation(this.sum, -x, t);
      this.sum = t;
      if (this.needVar) {
        const d = x - this.mean;
        this.mean -= d / c;
        this.m2 -= d * (x - this.mean);
        if (this.m2 < 0) this.m2 = 0;
      }
    }
    if (this.minQ.size > 0 && this.minQ.front() === s) this.minQ.shift();
    if (this.maxQ.size > 0 && this.maxQ.front() === s) this.maxQ.shift();
  }

  /** Recompute sum/mean/m2 from the window (bounds rounding drift of long add/remove histories). */
  private rebuild(): void {
    const acc = this.acc;
    windowSums(this.vals, acc);
    this.nobs = acc[NOBS];
    this.sum = acc[SUM];
    this.comp = acc[COMP];
    let k = 0;
    this.mean = this.m2 = 0;
    for (let q = this.vals.head; q < this.vals.tail; q++) {
      const x = this.vals.at(q);
      if (x !== x) continue;
      const d = x - this.mean;
      this.mean += d / ++k;
      this.m2 += d * (x - this.mean);
    }
    this.removedSinceRebuild = 0;
  }

  private value(op: RollOp, rows: number): number {
    const n = this.nobs;
    if (op === 'count') return rows >= this.minPeriods ? n : NaN;
    if (n < this.minPeriods) return NaN;
    switch (op) {
      case 'sum':
        return n === 0 ? 0 : this.sum + this.comp;
      case 'mean':
        return n === 0 ? NaN : (this.sum + this.comp) / n;
      case 'min':
        return n === 0 ? NaN : this.expanding ? this.runMin : this.vals.at(this.minQ.front());
      case 'max':
        return n === 0 ? NaN : this.expanding ? this.runMax : this.vals.at(this.maxQ.front());
      case 'var':
        return n <= this.ddof ? NaN : this.sameRun >= n ? 0 : this.m2 / (n - this.ddof);
      case 'std':
        return n <= this.ddof ? NaN : this.sameRun >= n ? 0 : Math.sqrt(this.m2 / (n - this.ddof));
      case 'median':
      case 'quantile':
        return n === 0 ? NaN : this.windowQuantile();
    }
  }

  /** The window's quantile, linearly interpolated (pandas): sorted afresh per row, as pandas' skiplist does in effect. */
  private windowQuantile(): number {
    const xs: number[] = [];
    for (let q = this.vals.head; q < this.vals.tail; q++) {
      const x = this.vals.at(q);
      if (x === x) xs.push(x);
    }
    xs.sort((a, b) => a - b);
    const pos = this.quantile * (xs.length - 1);
    const lo = Math.floor(pos);
    return lo === pos ? xs[lo] : xs[lo] + (xs[lo + 1] - xs[lo]) * (pos - lo);
  }

  /** Per-row outputs for the rows of `frame`, one float64 column per op. */
  update(frame: Frame): Frame {
    const x = numericColumn(frame, this.column);
    const len = frame.length;
    const outs: Float64Array[] = [];
    for (let k = 0; k < this.ops.length; k++) outs.push(float64s(len));
    if (this.sumsOnly) this.updateSums(x, outs);
    else this.updateRows(x, frame, outs);
    const cols: Record<string, Column> = {};
    for (let k = 0; k < outs.length; k++) cols[this.outNames[k]] = { dtype: 'float64', data: outs[k] };
    return new Frame(cols, len);
  }

  /**
   * `updateRows` for rolling(n) with only sum, mean and count: `rollSums`' loop, with the running
   * sums handed over in `acc` (and written back).
   */
  private updateSums(x: Float64Array, outs: Float64Array[]): void {
    const acc = this.acc;
    acc[NOBS] = this.nobs;
    acc[SUM] = this.sum;
    acc[COMP] = this.comp;
    acc[REMOVED] = this.removedSinceRebuild;
    rollSums(x, this.vals, this.n!, this.minPeriods, acc, { sum: this.outFor('sum', outs), mean: this.outFor('mean', outs), count: this.outFor('count', outs) });
    this.seq += x.length;
    this.nobs = acc[NOBS];
    this.sum = acc[SUM];
    this.comp = acc[COMP];
    this.removedSinceRebuild = acc[REMOVED];
  }

  private outFor(op: RollOp, outs: Float64Array[]): Float64Array | undefined {
    const k = this.ops.indexOf(op);
    return k < 0 ? undefined : outs[k];
  }

  /** One row at a time through the running statistics the ops need. */
  private updateRows(x: Float64Array, frame: Frame, outs: Float64Array[]): void {
    const len = x.length;
    const tcol = this.on !== undefined ? numericColumn(frame, this.on) : undefined;
    // Check the whole batch before touching the state, so a rejected batch leaves no partial trace.
    if (tcol) {
      let last = this.lastTs;
      for (let i = 0; i < len; i++) {
        const t = tcol[i];
        if (t !== t) throw new Error(`rolling on "${this.on}": null timestamp`);
        if (t < last) throw new Error(`rolling on "${this.on}": timestamps must be non-decreasing (${t} after ${last})`);
        last = t;
      }
    }
    for (let i = 0; i < len; i++) {
      const s = this.seq++;
      const v = x[i] - x[i] === 0 ? x[i] : NaN; // pandas' window ops read ±inf as missing
      if (this.expanding) {
        this.addValue(v, s);
      } else {
        this.vals.push(v);
        if (tcol) {
          const t = tcol[i];
          this.lastTs = t;
          this.ts.push(t);
          const cutoff = t - this.spanMs!;
          while (this.ts.front() <= cutoff) this.removeOldest();
        } else {
          while (this.vals.size > this.n!) this.removeOldest();
        }
        this.addValue(v, s);
        if (this.removedSinceRebuild > 4 * this.vals.size + 1024) this.rebuild();
      }
      const rows = this.expanding ? this.seq : this.vals.size;
      for (let k = 0; k < outs.length; k++) outs[k][i] = this.value(this.ops[k], rows);
    }
  }

  /** History (window rows, or running stats for expanding) as an Arrow table. */
  snapshot(): arrow.Table {
    const meta = {
      kind: 'rolling',
      version: 1,
      seq: this.seq,
      lastTs: Number.isFinite(this.lastTs) ? this.lastTs : null,
      expanding: this.expanding
        ? {
            nobs: this.nobs,
            sum: this.sum,
            comp: this.comp,
            mean: this.mean,
            m2: this.m2,
            min: nanNull(this.runMin),
            max: nanNull(this.runMax),
            sameRun: this.sameRun,
            lastVal: nanNull(this.lastVal),
          }
        : null,
      // rolling(n): the running sums as they are, so a restore continues bit for bit (recomputing
      // them from the rows would drop the rounding residue Welford's removals left)
      running: this.expanding
        ? null
        : {
            nobs: this.nobs,
            sum: exact(this.sum),
            comp: exact(this.comp),
            mean: exact(this.mean),
            m2: exact(this.m2),
            sameRun: this.sameRun,
            lastVal: exact(this.lastVal),
            removed: this.removedSinceRebuild,
          },
    };
    const vecs: Record<string, arrow.Vector> = { value: arrow.makeVector(this.vals.toArray()) };
    if (this.on !== undefined) vecs.ts = arrow.makeVector(this.ts.toArray());
    return withMeta(new arrow.Table(vecs), meta);
  }

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'rolling') throw new Error(`restore: expected a rolling state, got ${String(meta.kind)}`);
    if (this.seq !== 0) throw new Error('restore: state is not fresh');
    const e = meta.expanding as Record<string, number | null> | null;
    if (this.expanding) {
      if (!e) throw new Error('restore: snapshot is not of an expanding state');
      this.nobs = e.nobs!;
      this.sum = e.sum!;
      this.comp = e.comp!;
      this.mean = e.mean!;
      this.m2 = e.m2!;
      this.runMin = e.min ?? NaN;
      this.runMax = e.max ?? NaN;
      this.sameRun = e.sameRun ?? 0;
      this.lastVal = e.lastVal ?? NaN;
    } else {
      const vals = (table.getChild('value')?.toArray() ?? new Float64Array(0)) as Float64Array;
      const ts = this.on !== undefined ? (table.getChild('ts')!.toArray() as Float64Array) : undefined;
      const seq0 = (meta.seq as number) - vals.length;
      this.vals.head = this.vals.tail = this.ts.head = this.ts.tail = seq0;
      this.minQ.head = this.minQ.tail = this.maxQ.head = this.maxQ.tail = 0;
      for (let i = 0; i < vals.length; i++) {
        this.vals.push(vals[i]);
        if (ts) this.ts.push(ts[i]);
        this.addValue(vals[i], seq0 + i);
      }
      const r = meta.running as Record<string, number | string> | undefined; // absent before this field existed
      if (r) {
        this.nobs = r.nobs as number;
        this.sum = Number(r.sum);
        this.comp = Number(r.comp);
        this.mean = Number(r.mean);
        this.m2 = Number(r.m2);
        this.sameRun = r.sameRun as number;
        this.lastVal = Number(r.lastVal);
        this.removedSinceRebuild = r.removed as number;
      }
    }
    this.seq = meta.seq as number;
    this.lastTs = meta.lastTs === null ? -Infinity : (meta.lastTs as number);
  }
}

const nanNull = (x: number): number | null => (x === x ? x : null);
/** A number JSON keeps exactly: NaN, ±Infinity and -0 as strings that `Number()` reads back. */
const exact = (x: number): number | string => (Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? '-0' : x));

/** pandas-style `s.expanding()` — a RollingState without a window. */
export function expanding(opts: Omit<RollingOptions, 'window' | 'on'>): RollingState {
  return new RollingState({ ...opts, window: undefined });
}
