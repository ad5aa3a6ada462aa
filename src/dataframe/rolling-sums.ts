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

/**
 * rolling(n) with only sum, mean and count over x: the running sums in locals, the same arithmetic
 * in the same order as add/removeOldest. From row n of the batch on, the row leaving the window is
 * x[i - n], read from x: the ring is written for the first n rows and filled with the batch's last
 * n at the end (or before a rebuild), not per row. The rebuild is checked every REBUILD_CHECK
 * rows, not per row. A free function, with `compensation()` written out: as a method, V8
 * deoptimized it on RollingState's map changes and then ran it with the call not inlined, 3× slower.
 */
export function rollSums(x: Float64Array, ring: SeqRing, n: number, minP: number, acc: Float64Array, sumOut?: Float64Array, meanOut?: Float64Array, countOut?: Float64Array): void {
  const buf = ring.buf; // capacity > n, so pushing before the oldest leaves never grows it
  const mask = ring.mask;
  let head = ring.head;
  let tail = ring.tail;
  let nobs = acc[NOBS];
  let sum = acc[SUM];
  let comp = acc[COMP];
  let removed = acc[REMOVED];
  for (let from = 0; from < x.length; from += REBUILD_CHECK) {
    const to = Math.min(x.length, from + REBUILD_CHECK);
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
    if (removed > 4 * (tail - head) + 1024) {
      // recompute from the window (bounds rounding drift), for the rows after this chunk
      if (to > n) fillRing(buf, mask, tail, x, to, n);
      ring.head = head;
      ring.tail = tail;
      windowSums(ring, acc);
      nobs = acc[NOBS];
      sum = acc[SUM];
      comp = acc[COMP];
      removed = 0;
    }
  }
  if (x.length > n) fillRing(buf, mask, tail, x, x.length, n);
  ring.head = head;
  ring.tail = tail;
  acc[NOBS] = nobs;
  acc[SUM] = sum;
  acc[COMP] = comp;
  acc[REMOVED] = removed;
}
const REBUILD_CHECK = 1024;

/** The ring's last n slots (sequence numbers tail - n to tail) from x[end - n] to x[end - 1], ±inf as NaN. */
function fillRing(buf: Float64Array, mask: number, tail: number, x: Float64Array, end: number, n: number): void {
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
