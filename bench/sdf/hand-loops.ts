/**
 * The bar for bench/sdf: each workload written as a hand loop over typed arrays, no graph, no
 * frames. Same batches, same work per batch as the DataFrame pipeline: string keys are encoded
 * to codes through a Map (what ingest does), and every batch produces its output arrays (the
 * filtered columns, the per-key table in key order, the rolling means), so the loops do not
 * skip what the pipeline has to hand downstream.
 */
import type { Batch } from './data.js';

/** A hand loop; those that compute exactly the pipeline's output hand each batch's output to `emit`. */
export type HandLoop = (batches: readonly Batch[], emit?: (out: Float64Array) => void) => number;

/**
 * Encodes strings to dense codes, keeping the codes in key order for the per-key outputs. As a
 * careful engineer would: a small direct-mapped cache (slot from the length and the last
 * characters, then `===`) in front of the Map, since `Map.get` costs about 20 ns a string.
 */
class Codes {
  readonly map = new Map<string, number>();
  readonly strings: string[] = [];
  order = new Int32Array(0);
  private readonly recent: string[] = Array.from({ length: 1024 }, () => '');
  private readonly recentCodes = new Int32Array(1024);

  encode(k: readonly string[], out: Int32Array): void {
    let grew = false;
    for (let i = 0; i < k.length; i++) {
      const s = k[i];
      const n = s.length;
      const slot = n < 2 ? -1 : (n + 31 * s.charCodeAt(n - 1) + 961 * s.charCodeAt(n - 2)) & 1023;
      if (slot >= 0 && this.recent[slot] === s) {
        out[i] = this.recentCodes[slot];
        continue;
      }
      let c = this.map.get(s);
      if (c === undefined) {
        c = this.strings.length;
        this.map.set(s, c);
        this.strings.push(s);
        grew = true;
      }
      if (slot >= 0) {
        this.recent[slot] = s;
        this.recentCodes[slot] = c;
      }
      out[i] = c;
    }
    if (grew) this.order = Int32Array.from([...this.strings.keys()].sort((a, b) => (this.strings[a] < this.strings[b] ? -1 : 1)));
  }
}

/** `a`, or a copy twice `n` long when it is shorter than n. */
function grown<A extends Float64Array | Int32Array>(a: A, n: number): A {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => A)(n * 2);
  b.set(a);
  return b;
}

/** Kept rows' indices written branch-free (a branch per row mispredicts on half of random rows), then each column gathered. */
function filterAssign(batches: readonly Batch[], emit?: (out: Float64Array) => void): number {
  const codes = new Codes();
  let kept = new Int32Array(1);
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    const v = b.v;
    if (kept.length <= n) kept = new Int32Array(n + 1);
    let m = 0;
    for (let i = 0; i < n; i++) {
      kept[m] = i;
      m += +(v[i] > 0.5);
    }
    const ok = new Int32Array(m);
    const ov = new Float64Array(m);
    const ots = new Float64Array(m);
    const ow = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const i = kept[j];
      ok[j] = k[i];
      ov[j] = v[i];
      ots[j] = b.ts[i];
      ow[j] = v[i] * 2;
    }
    emit?.(ow);
    out += ow.length;
  }
  return out;
}

/** The Neumaier correction for `t = s + x`, none once the sum is infinite (pandas gives ±inf). */
const correction = (s: number, x: number, t: number): number => (t - t !== 0 ? 0 : Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);

/** Cumulative groupby sum as pandas computes it: nulls (NaN) skipped, sums compensated; per batch every key so far, in key order. */
function groupbySum(batches: readonly Batch[], emit?: (out: Float64Array) => void): number {
  const codes = new Codes();
  let sums = new Float64Array(16);
  let comps = new Float64Array(16);
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    sums = grown(sums, codes.strings.length);
    comps = grown(comps, codes.strings.length);
    const v = b.v;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x !== x) continue;
      const c = k[i];
      const s = sums[c];
      const t = s + x;
      comps[c] += correction(s, x, t);
      sums[c] = t;
    }
    const order = codes.order;
    const res = new Float64Array(order.length);
    for (let g = 0; g < order.length; g++) res[g] = sums[order[g]] + comps[order[g]];
    emit?.(res);
    out += res.length;
  }
  return out;
}

/**
 * The mean per key of the last `size` rows, as the pipeline computes it: each batch's rows added
 * (compensated, nulls skipped), then the rows leaving the window removed, oldest first; an
 * infinity that cannot be subtracted back out, or 4 windows of removals (at least 65536), and the
 * sums are recomputed from the window, so they do not drift. Keys with no rows in the window are
 * left out.
 */
function windowGroupbyMean(batches: readonly Batch[], emit?: (out: Float64Array) => void, size = 10000): number {
  const codes = new Codes();
  const ringK = new Int32Array(size);
  const ringV = new Float64Array(size);
  let head = 0; // oldest row once the ring is full
  let live = 0;
  let removed = 0;
  let sums = new Float64Array(16);
  let comps = new Float64Array(16);
  let counts = new Float64Array(16);
  let sizes = new Float64Array(16);
  const add = (c: number, x: number) => {
    sizes[c]++;
    if (x !== x) return;
    counts[c]++;
    const s = sums[c];
    const t = s + x;
    comps[c] += correction(s, x, t);
    sums[c] = t;
  };
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    const groups = codes.strings.length;
    [sums, comps, counts, sizes] = [grown(sums, groups), grown(comps, groups), grown(counts, groups), grown(sizes, groups)];
    const v = b.v;
    for (let i = 0; i < n; i++) add(k[i], v[i]);
    let stale = false;
    for (let i = 0; i < n; i++) {
      if (live === size) {
        const c = ringK[head];
        const x = ringV[head];
        sizes[c]--;
        if (x === x) {
          if (--counts[c] === 0) sums[c] = comps[c] = 0;
          else if (sums[c] - sums[c] !== 0 || x - x !== 0) stale = true;
          else {
            const s = sums[c];
            const t = s - x;
            comps[c] += correction(s, -x, t);
            sums[c] = t;
          }
        }
        removed++;
      } else live++;
      ringK[head] = k[i];
      ringV[head] = v[i];
      head = head + 1 === size ? 0 : head + 1;
    }
    if (stale || removed > Math.max(4 * live, 65536)) {
      sums.fill(0), comps.fill(0), counts.fill(0), sizes.fill(0);
      for (let j = 0; j < live; j++) {
        const at = live === size ? (head + j) % size : j;
        add(ringK[at], ringV[at]);
      }
      removed = 0;
    }
    const order = codes.order;
    const res = new Float64Array(order.length);
    let m = 0;
    for (let g = 0; g < order.length; g++) if (sizes[order[g]] > 0) res[m++] = counts[order[g]] === 0 ? NaN : (sums[order[g]] + comps[order[g]]) / counts[order[g]];
    emit?.(res.subarray(0, m));
    out += m;
  }
  return out;
}

/**
 * rolling(size).mean() as pandas computes it and as the pipeline does, to the bit (run.ts checks
 * that): ±inf and NaN are missing and skipped, a row shows a mean once its window holds
 * min_periods (= size) values, and the running sum is compensated (Neumaier, no correction once
 * it is infinite) so it stays accurate after huge values leave the window; every 1024 rows of a
 * batch, after 4 windows + 1024 removals, the sum is recomputed from the window. Written as a
 * careful engineer would for speed: a chunk of rows that are all finite and small (so the sum
 * cannot overflow), after a full window of such rows, runs a loop without per-row checks, the
 * leaving value read from the batch from row `size` on.
 */
function rollingMean(batches: readonly Batch[], emit?: (out: Float64Array) => void, size = 100, minPeriods = size): number {
  const ring = new Float64Array(size); // the window, oldest at `head`; NaN for a missing value
  let head = 0;
  let rows = 0;
  let nobs = 0;
  let sum = 0;
  let comp = 0;
  let removed = 0;
  let out = 0;
  for (const b of batches) {
    const x = b.v;
    const len = x.length;
    const res = new Float64Array(len);
    for (let from = 0; from < len; from += 1024) {
      const to = Math.min(len, from + 1024);
      let tame = nobs === size && size >= 2 && size >= minPeriods && Math.abs(sum) <= 1e300;
      for (let i = from; tame && i < to; i++) tame = Math.abs(x[i]) <= 1e300;
      if (tame) {
        for (let i = from; i < to; i++) {
          const v = x[i];
          let old: number;
          if (i >= size) old = x[i - size];
          else {
            old = ring[head];
            ring[head] = v;
            head = head + 1 === size ? 0 : head + 1;
          }
          let t = sum - old;
          comp += Math.abs(sum) >= Math.abs(old) ? sum - t - old : -old - t + sum;
          sum = t;
          t = sum + v;
          comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
          sum = t;
          res[i] = (sum + comp) / size;
        }
        if (to > size) {
          ring.set(x.subarray(to - size, to));
          head = 0;
        }
        removed += to - from;
      } else {
        for (let i = from; i < to; i++) {
          const xi = x[i];
          const v = xi - xi === 0 ? xi : NaN;
          if (rows === size) {
            const old = ring[head];
            if (old === old) {
              removed++;
              if (--nobs === 0) sum = comp = 0;
              else {
                const t = sum - old;
                if (t - t === 0) comp += Math.abs(sum) >= Math.abs(old) ? sum - t - old : -old - t + sum;
                sum = t;
              }
            }
          } else rows++;
          ring[head] = v;
          head = head + 1 === size ? 0 : head + 1;
          if (v === v) {
            nobs++;
            const t = sum + v;
            if (t - t === 0) comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
            sum = t;
          }
          res[i] = nobs >= minPeriods && nobs > 0 ? (sum + comp) / nobs : NaN;
        }
      }
      if (removed > 4 * rows + 1024) {
        nobs = sum = comp = removed = 0;
        for (let k = 0; k < rows; k++) {
          const v = ring[(head + k) % size];
          if (v !== v) continue;
          nobs++;
          const t = sum + v;
          if (t - t === 0) comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
          sum = t;
        }
      }
    }
    emit?.(res);
    out += res.length;
  }
  return out;
}

export const HAND_LOOPS: Record<string, HandLoop> = {
  filter_assign: filterAssign,
  groupby_sum: groupbySum,
  window_groupby_mean: (b, emit) => windowGroupbyMean(b, emit),
  rolling_mean: (b, emit) => rollingMean(b, emit),
};
