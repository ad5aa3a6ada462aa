/**
 * Per-group incremental statistics for one value column (struct of arrays, grown by doubling).
 * Values arrive as a Float64Array view (NaN = null; utf8 values as dictionary codes).
 * Invertible stats (count, size, sum, mean, var/std, nunique) support remove() for windows:
 * sums are Neumaier-compensated, var/std use Welford's add/remove updates; as pandas' rolling var
 * does, a group whose remaining values are all equal gets var exactly 0, not the rounding residue of
 * the values removed (tracked by `others`, a bound that holds whatever order rows are removed in).
 * Non-invertible ones (min, max, first, last) mark a group dirty on removal and the owner
 * recomputes dirty groups by rescanning its rows (see `resetGroups` / `add`).
 *
 * Null handling follows pandas (skipna): sum of no values = 0, mean/min/max/first/last of no
 * values = NaN, var/std need 2 values (ddof = 1), count excludes nulls, size includes them,
 * nunique counts distinct non-null values.
 */
import { addToSum, addToSums, compensation, removeFromSum, removeFromSums } from './compensated.js';

export type AggOp = 'sum' | 'count' | 'size' | 'mean' | 'min' | 'max' | 'var' | 'std' | 'first' | 'last' | 'nunique';
export const AGG_OPS: readonly AggOp[] = ['sum', 'count', 'size', 'mean', 'min', 'max', 'var', 'std', 'first', 'last', 'nunique'];
const NON_INVERTIBLE: ReadonlySet<AggOp> = new Set(['min', 'max', 'first', 'last']);

export function isInvertible(op: AggOp): boolean {
  return !NON_INVERTIBLE.has(op);
}

type F64 = Float64Array;
const grow = (a: F64, n: number, fill = 0): F64 => {
  if (n <= a.length) return a;
  let cap = Math.max(16, a.length * 2);
  while (cap < n) cap *= 2;
  const b = new Float64Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
};

/** Names of the stats columns a snapshot stores. */
export const STAT_FIELDS = ['count', 'size', 'sum', 'comp', 'mean', 'm2', 'min', 'max', 'first', 'firstSeq', 'last', 'lastSeq'] as const;
export type StatField = (typeof STAT_FIELDS)[number];

export class GroupAggregator {
  readonly ops: ReadonlySet<AggOp>;
  n = 0; // groups allocated
  count: F64 = new Float64Array(0);
  size: F64 = new Float64Array(0);
  sum: F64 = new Float64Array(0);
  comp: F64 = new Float64Array(0);
  mean: F64 = new Float64Array(0);
  m2: F64 = new Float64Array(0);
  /** the group's most recently added value, and an upper bound on its values that differ from it */
  latest: F64 = new Float64Array(0);
  others: F64 = new Float64Array(0);
  min: F64 = new Float64Array(0);
  max: F64 = new Float64Array(0);
  first: F64 = new Float64Array(0);
  firstSeq: F64 = new Float64Array(0);
  last: F64 = new Float64Array(0);
  lastSeq: F64 = new Float64Array(0);
  uniq: Map<number, number>[] = [];
  readonly needSum: boolean;
  readonly needVar: boolean;
  readonly needMin: boolean;
  readonly needMax: boolean;
  readonly needFirst: boolean;
  readonly needLast: boolean;
  readonly needUniq: boolean;
  /** true when every op of this column supports remove() */
  readonly invertible: boolean;
  /** true when it keeps sums, with counts and sizes, and nothing else (`addToSums`) */
  private readonly sumsOnly: boolean;
  /** groups whose non-invertible stats are stale after a removal */
  dirty = new Set<number>();
  /** An infinity was removed from a sum: sums must be recomputed from the rows (`clear` and re-add). */
  stale = false;

  constructor(ops: Iterable<AggOp>) {
    this.ops = new Set(ops);
    const has = (o: AggOp) => this.ops.has(o);
    this.needSum = has('sum') || has('mean');
    this.needVar = has('var') || has('std');
    this.needMin = has('min');
    this.needMax = has('max');
    this.needFirst = has('first');
    this.needLast = has('last');
    this.needUniq = has('nunique');
    this.invertible = !(this.needMin || this.needMax || this.needFirst || this.needLast);
    this.sumsOnly = this.needSum && this.invertible && !this.needVar && !this.needUniq;
  }

  ensure(nGroups: number): void {
    if (nGroups <= this.n) return;
    this.count = grow(this.count, nGroups);
    this.size = grow(this.size, nGroups);
    if (this.needSum) {
      this.sum = grow(this.sum, nGroups);
      this.comp = grow(this.comp, nGroups);
    }
    if (this.needVar) {
      this.mean = grow(this.mean, nGroups);
      this.m2 = grow(this.m2, nGroups);
      this.latest = grow(this.latest, nGroups, NaN);
      this.others = grow(this.others, nGroups);
    }
    if (this.needMin) this.min = grow(this.min, nGroups, NaN);
    if (this.needMax) this.max = grow(this.max, nGroups, NaN);
    if (this.needFirst) {
      this.first = grow(this.first, nGroups, NaN);
      this.firstSeq = grow(this.firstSeq, nGroups, NaN);
    }
    if (this.needLast) {
      this.last = grow(this.last, nGroups, NaN);
      this.lastSeq = grow(this.lastSeq, nGroups, NaN);
    }
    if (this.needUniq) while (this.uniq.length < nGroups) this.uniq.push(new Map());
    this.n = nGroups;
  }

  /** Add rows: values[i] belongs to group gids[i] (-1 = skip); seq0 = sequence number of row 0. */
  add(values: F64, gids: Int32Array, seq0 = 0, start = 0, end = values.length, only?: Uint8Array): void {
    if (only !== undefined) return this.addNonInvertible(values, gids, seq0, start, end, only);
    if (this.sumsOnly) return addToSums(this, values, gids, start, end);
    const { count, size } = this;
    for (let i = start; i < end; i++) {
      const g = gids[i];
      if (g < 0) continue;
      size[g]++;
      const x = values[i];
      if (x !== x) continue;
      {
        count[g]++;
        if (this.needSum) addToSum(this.sum, this.comp, g, x);
        if (this.needVar) {
          const c = count[g];
          const d = x - this.mean[g];
          this.mean[g] += d / c;
          this.m2[g] += d * (x - this.mean[g]);
          if (x !== this.latest[g]) {
            this.latest[g] = x;
            this.others[g] = c - 1;
          }
        }
        if (this.needUniq) {
          const m = this.uniq[g];
          m.set(x, (m.get(x) ?? 0) + 1);
        }
      }
      if (this.needMin && !(this.min[g] <= x)) this.min[g] = x;
      if (this.needMax && !(this.max[g] >= x)) this.max[g] = x;
      if (this.needFirst && !(this.firstSeq[g] <= seq0 + i)) {
        this.first[g] = x;
        this.firstSeq[g] = seq0 + i;
      }
      if (this.needLast && !(this.lastSeq[g] >= seq0 + i)) {
        this.last[g] = x;
        this.lastSeq[g] = seq0 + i;
      }
    }
  }

  /** Re-add rows of the flagged groups for min/max/first/last only (after resetGroups). */
  private addNonInvertible(values: F64, gids: Int32Array, seq0: number, start: number, end: number, only: Uint8Array): void {
    for (let i = start; i < end; i++) {
      const g = gids[i];
      if (g < 0 || only[g] === 0) continue;
      const x = values[i];
      if (x !== x) continue;
      if (this.needMin && !(this.min[g] <= x)) this.min[g] = x;
      if (this.needMax && !(this.max[g] >= x)) this.max[g] = x;
      if (this.needFirst && !(this.firstSeq[g] <= seq0 + i)) {
        this.first[g] = x;
        this.firstSeq[g] = seq0 + i;
      }
      if (this.needLast && !(this.lastSeq[g] >= seq0 + i)) {
        this.last[g] = x;
        this.lastSeq[g] = seq0 + i;
      }
    }
  }

  /**
   * Fold the partial statistics of `from` (same ops) into this: group g of `from` into group
   * `into[g]` (panes of a hopping window combined into the window). Counts and sums add, var/std
   * merge by Chan's formula, min/max compare, first/last keep the lowest/highest row sequence,
   * nunique adds its value counts. Groups of `from` without rows are skipped.
   */
  merge(from: GroupAggregator, into: Int32Array): void {
    for (let g = 0; g < into.length; g++) {
      const t = into[g];
      if (t < 0 || from.size[g] === 0) continue;
      this.size[t] += from.size[g];
      const nb = from.count[g];
      if (nb === 0) continue;
      const na = this.count[t];
      this.count[t] = na + nb;
      if (this.needSum) {
        const s = this.sum[t];
        const x = from.sum[g];
        const sum = s + x;
        this.comp[t] += compensation(s, x, sum) + from.comp[g];
        this.sum[t] = sum;
      }
      if (this.needVar) {
        const d = from.mean[g] - this.mean[t];
        const n = na + nb;
        this.mean[t] += (d * nb) / n;
        this.m2[t] += from.m2[g] + (d * d * na * nb) / n;
        if (na === 0) this.latest[t] = from.latest[g];
        this.others[t] += na > 0 && from.latest[g] !== this.latest[t] ? nb : from.others[g];
      }
      if (this.needUniq) {
        const m = this.uniq[t];
        for (const [v, k] of from.uniq[g]) m.set(v, (m.get(v) ?? 0) + k);
      }
      if (this.needMin && !(this.min[t] <= from.min[g])) this.min[t] = from.min[g];
      if (this.needMax && !(this.max[t] >= from.max[g])) this.max[t] = from.max[g];
      if (this.needFirst && !(this.firstSeq[t] <= from.firstSeq[g])) {
        this.first[t] = from.first[g];
        this.firstSeq[t] = from.firstSeq[g];
      }
      if (this.needLast && !(this.lastSeq[t] >= from.lastSeq[g])) {
        this.last[t] = from.last[g];
        this.lastSeq[t] = from.lastSeq[g];
      }
    }
  }

  /** first, last or nunique: of a utf8 column these keep dictionary codes. */
  get keepsCodes(): boolean {
    return this.needFirst || this.needLast || this.needUniq;
  }

  /** Rewrite the codes kept by first, last and nunique (utf8 values) as `f(code)` (a dictionary compaction). */
  mapCodes(f: (code: number) => number): void {
    for (let g = 0; g < this.n; g++) {
      if (this.needFirst && this.first[g] === this.first[g]) this.first[g] = f(this.first[g]);
      if (this.needLast && this.last[g] === this.last[g]) this.last[g] = f(this.last[g]);
      if (this.needUniq && this.uniq[g].size > 0) this.uniq[g] = new Map([...this.uniq[g]].map(([code, k]) => [f(code), k]));
    }
  }

  /** Remove rows previously added (window eviction). */
  remove(values: F64, gids: Int32Array, seq0 = 0, start = 0, end = values.length): void {
    if (this.sumsOnly) return removeFromSums(this, values, gids, start, end);
    const { count, size } = this;
    for (let i = start; i < end; i++) {
      const g = gids[i];
      if (g < 0) continue;
      size[g]--;
      const x = values[i];
      if (x !== x) continue;
      const c = --count[g];
      if (this.needSum) removeFromSum(this, g, x, c);
      if (this.needVar) {
        if (x !== this.latest[g] && this.others[g] > 0) this.others[g]--;
        if (c === 0) {
          this.mean[g] = this.m2[g] = this.others[g] = 0;
          this.latest[g] = NaN;
        } else if (this.others[g] === 0) {
          // every value left equals `latest`: exact, whatever rounding the removed values left behind
          this.mean[g] = this.latest[g];
          this.m2[g] = 0;
        } else {
          const d = x - this.mean[g];
          this.mean[g] -= d / c;
          this.m2[g] -= d * (x - this.mean[g]);
          if (this.m2[g] < 0) this.m2[g] = 0;
        }
      }
      if (this.needUniq) {
        const m = this.uniq[g];
        const k = m.get(x)!;
        if (k <= 1) m.delete(x);
        else m.set(x, k - 1);
      }
      if (
        (this.needMin && x <= this.min[g]) ||
        (this.needMax && x >= this.max[g]) ||
        (this.needFirst && this.firstSeq[g] === seq0 + i) ||
        (this.needLast && this.lastSeq[g] === seq0 + i)
      ) {
        this.dirty.add(g);
      }
    }
  }

  /** Forget everything (keeps the allocated groups); used to rebuild from window content. */
  clear(): void {
    this.stale = false;
    this.count.fill(0);
    this.size.fill(0);
    this.sum.fill(0);
    this.comp.fill(0);
    this.mean.fill(0);
    this.m2.fill(0);
    this.latest.fill(NaN);
    this.others.fill(0);
    this.min.fill(NaN);
    this.max.fill(NaN);
    this.first.fill(NaN);
    this.firstSeq.fill(NaN);
    this.last.fill(NaN);
    this.lastSeq.fill(NaN);
    for (let g = 0; g < this.uniq.length; g++) this.uniq[g] = new Map();
    this.dirty.clear();
  }

  /** Clear the non-invertible stats of the given groups before re-adding their rows with add(..., only). */
  resetGroups(groups: Iterable<number>): void {
    for (const g of groups) {
      if (this.needMin) this.min[g] = NaN;
      if (this.needMax) this.max[g] = NaN;
      if (this.needFirst) {
        this.first[g] = NaN;
        this.firstSeq[g] = NaN;
      }
      if (this.needLast) {
        this.last[g] = NaN;
        this.lastSeq[g] = NaN;
      }
    }
  }

  /** Value of `op` for each group in `gids` order; var and std divide by count − `ddof` (pandas' 1). */
  result(op: AggOp, gids: Int32Array, ddof = 1): Float64Array {
    const n = gids.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(op, gids[i], ddof);
    return out;
  }

  value(op: AggOp, g: number, ddof = 1): number {
    switch (op) {
      case 'sum':
        return this.count[g] === 0 ? 0 : this.sum[g] + this.comp[g];
      case 'count':
        return this.count[g];
      case 'size':
        return this.size[g];
      case 'mean':
        return this.count[g] === 0 ? NaN : (this.sum[g] + this.comp[g]) / this.count[g];
      case 'min':
        return this.count[g] === 0 ? NaN : this.min[g];
      case 'max':
        return this.count[g] === 0 ? NaN : this.max[g];
      case 'var':
        return this.count[g] <= ddof ? NaN : this.m2[g] / (this.count[g] - ddof);
      case 'std':
        return this.count[g] <= ddof ? NaN : Math.sqrt(this.m2[g] / (this.count[g] - ddof));
      case 'first':
        return this.count[g] === 0 ? NaN : this.first[g];
      case 'last':
        return this.count[g] === 0 ? NaN : this.last[g];
      case 'nunique':
        return this.uniq[g]?.size ?? 0;
    }
  }

  /** The stats arrays (first nGroups entries) for snapshots; NaN for stats this column does not keep. */
  stats(): Record<StatField, Float64Array> {
    const n = this.n;
    const pick = (a: F64) => (a.length >= n ? a.slice(0, n) : new Float64Array(n).fill(NaN));
    return Object.fromEntries(STAT_FIELDS.map((f) => [f, pick(this[f])])) as Record<StatField, Float64Array>;
  }

  /** Restore the stats of group g from a snapshot row (only the stats this column keeps are allocated). */
  setStats(g: number, s: Record<StatField, number>, uniq?: Iterable<[number, number]>): void {
    this.ensure(g + 1);
    for (const f of STAT_FIELDS) if (this[f].length > g) this[f][g] = s[f];
    if (this.needVar) {
      this.latest[g] = NaN;
      this.others[g] = s.count; // not in snapshots: claims nothing
    }
    if (this.needUniq && uniq) this.uniq[g] = new Map(uniq);
  }
}
