/**
 * The kernel of rolling(n) when it computes only sum, mean and count (rolling(100).mean() and
 * the like): one loop per batch over a typed array, the window's running sums handed in and out
 * through `acc`. RollingState (rolling.ts) owns the window ring and everything else.
 */
import { compensation } from './compensated.js';
import type { SeqRing } from './ring.js';

/** Slots of the running-sums array `acc`: non-null count, sum, its Neumaier correction, removals since the last rebuild. */
export const NOBS = 0;
export const SUM = 1;
export const COMP = 2;
export const REMOVED = 3;

/** The requested outputs of `rollSums` (undefined: not requested). */
export interface SumOuts {
  sum?: Float64Array;
  mean?: Float64Array;
  count?: Float64Array;
}

/**
 * rolling(n) with only sum, mean and count over x, in chunks of REBUILD_CHECK rows; after each
 * chunk the sums are recomputed from the window once removals exceed 4 windows + 1024. Each chunk
 * first runs `finiteRows` (no per-row checks); when that meets a missing value or an overflow, the
 * chunk runs again through `checkedRows`, and so does the rest of the batch. Both do the same
 * arithmetic in the same order (the results are the same bits), and so does add/removeOldest.
 * From row n of the batch on, the row leaving the window is x[i - n], read from x: the ring is
 * written for the first n rows and filled with the batch's last n at the end (or before a rebuild).
 * Free functions with `compensation()` written out: as methods, V8 deoptimized them on
 * RollingState's map changes and then ran them with the call not inlined, 3× slower.
 */
export function rollSums(x: Float64Array, ring: SeqRing, n: number, minP: number, acc: Float64Array, outs: SumOuts): void {
  // finiteRows writes one column (the mean, or the sum, or scratch in `count`); the others follow from it
  const first = outs.sum ?? outs.mean ?? outs.count!;
  const div = first === outs.mean ? n : 1;
  // n >= 2: a full window never empties by a removal; n >= minP: every row of a full window is shown
  let fast = n >= 2 && n >= minP;
  for (let from = 0; from < x.length; from += REBUILD_CHECK) {
    const to = Math.min(x.length, from + REBUILD_CHECK);
    if (fast && finiteRows(x, from, to, ring, n, acc, first, div)) {
      if (outs.mean !== undefined && first !== outs.mean) for (let i = from; i < to; i++) outs.mean[i] = first[i] / n;
      if (outs.count !== undefined) outs.count.fill(n, from, to);
    } else {
      fast = false; // a batch with missing values is likely to have more: skip the futile attempts
      checkedRows(x, from, to, ring, n, minP, acc, outs);
    }
    if (acc[REMOVED] > 4 * (ring.tail - ring.head) + 1024) {
      // recompute from the window (bounds rounding drift), for the rows after this chunk
      if (to > n) fillRing(ring, x, to, n);
      windowSums(ring, acc);
    }
  }
  if (x.length > n) fillRing(ring, x, x.length, n);
}
const REBUILD_CHECK = 1024;

/**
 * Rows from..to of a window that is full and holds no missing value, assuming the rows hold none
 * either and the sums stay finite: the count stays n, so no per-row checks. A missing value or
 * ±inf in the rows (or one leaving the window) makes the sum NaN or infinite, and an overflow makes
 * it infinite; either stays so to the end of the chunk. Then this returns false with `acc` and
 * the ring untouched, and `out` to be overwritten; else the state is advanced exactly as
 * `checkedRows` would advance it.
 */
function finiteRows(x: Float64Array, from: number, to: number, ring: SeqRing, n: number, acc: Float64Array, out: Float64Array, div: number): boolean {
  const head = ring.head;
  const tail = ring.tail;
  if (tail - head !== n || acc[NOBS] !== n) return false;
  const buf = ring.buf;
  const mask = ring.mask;
  let sum = acc[SUM];
  let comp = acc[COMP];
  for (let i = from; i < to; i++) {
    const v = x[i];
    const old = i >= n ? x[i - n] : buf[(head + i - from) & mask];
    let t = sum - old;
    comp += Math.abs(sum) >= Math.abs(old) ? sum - t - old : -old - t + sum;
    sum = t;
    t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    out[i] = (sum + comp) / div;
  }
  if (!(sum - sum === 0 && comp - comp === 0)) return false;
  // the rows before n into the ring now, not in the loop: the slots they take may still be read on a retry
  for (let i = from; i < Math.min(to, n); i++) buf[(tail + i - from) & mask] = x[i];
  ring.head = head + to - from;
  ring.tail = tail + to - from;
  acc[SUM] = sum;
  acc[COMP] = comp;
  acc[REMOVED] += to - from;
  return true;
}

/** Rows from..to, one at a time: missing values skipped, ±inf read as missing, no correction once the sum is infinite. */
function checkedRows(x: Float64Array, from: number, to: number, ring: SeqRing, n: number, minP: number, acc: Float64Array, outs: SumOuts): void {
  const { sum: sumOut, mean: meanOut, count: countOut } = outs;
  const buf = ring.buf; // capacity > n, so pushing before the oldest leaves never grows it
  const mask = ring.mask;
  let head = ring.head;
  let tail = ring.tail;
  let nobs = acc[NOBS];
  let sum = acc[SUM];
  let comp = acc[COMP];
  let removed = acc[REMOVED];
  for (let i = from; i < to; i++) {
    const xi = x[i];
    const v = xi - xi === 0 ? xi : NaN; // pandas' window ops read ±inf as missing
    let old = NaN; // NaN: no row leaves, or a missing one
    if (i >= n) {
      const o = x[i - n];
      if (o - o === 0) old = o;
      head++;
      tail++;
    } else {
      buf[tail++ & mask] = v;
      if (tail - head > n) old = buf[head++ & mask];
    }
    if (old === old) {
      removed++;
      if (--nobs === 0) sum = comp = 0;
      else {
        const t = sum - old;
        if (t - t === 0) comp += Math.abs(sum) >= Math.abs(old) ? sum - t - old : -old - t + sum;
        sum = t;
      }
    }
    if (v === v) {
      nobs++;
      const t = sum + v;
      if (t - t === 0) comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
      sum = t;
    }
    const shown = nobs >= minP;
    if (sumOut !== undefined) sumOut[i] = !shown ? NaN : nobs === 0 ? 0 : sum + comp;
    if (meanOut !== undefined) meanOut[i] = shown && nobs > 0 ? (sum + comp) / nobs : NaN;
    if (countOut !== undefined) countOut[i] = tail - head >= minP ? nobs : NaN;
  }
  ring.head = head;
  ring.tail = tail;
  acc[NOBS] = nobs;
  acc[SUM] = sum;
  acc[COMP] = comp;
  acc[REMOVED] = removed;
}

/** The ring's last n slots (sequence numbers tail - n to tail) from x[end - n] to x[end - 1], ±inf as NaN. */
function fillRing(ring: SeqRing, x: Float64Array, end: number, n: number): void {
  const { buf, mask, tail } = ring;
  for (let k = 0; k < n; k++) {
    const o = x[end - n + k];
    buf[(tail - n + k) & mask] = o - o === 0 ? o : NaN;
  }
}

/** The window's non-null count, compensated sum and correction into acc; its removal count to 0. */
export function windowSums(ring: SeqRing, acc: Float64Array): void {
  let nobs = 0;
  let sum = 0;
  let comp = 0;
  for (let q = ring.head; q < ring.tail; q++) {
    const x = ring.at(q);
    if (x !== x) continue;
    nobs++;
    const t = sum + x;
    comp += compensation(sum, x, t);
    sum = t;
  }
  acc[NOBS] = nobs;
  acc[SUM] = sum;
  acc[COMP] = comp;
  acc[REMOVED] = 0;
}
