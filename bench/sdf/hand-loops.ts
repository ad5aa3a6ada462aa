/**
 * The bar for bench/sdf: each workload written as a hand loop over typed arrays, no graph, no
 * frames. Same batches, same work per batch as the DataFrame pipeline: string keys are encoded
 * to codes through a Map (what ingest does), and every batch produces its output arrays (the
 * filtered columns, the per-key table in key order, the rolling means), so the loops do not
 * skip what the pipeline has to hand downstream.
 */
import type { Batch } from './data.js';

export type HandLoop = (batches: readonly Batch[]) => number;

/** Encodes strings to dense codes, keeping the codes in key order for the per-key outputs. */
class Codes {
  readonly map = new Map<string, number>();
  readonly strings: string[] = [];
  order = new Int32Array(0);

  encode(k: readonly string[], out: Int32Array): void {
    let grew = false;
    for (let i = 0; i < k.length; i++) {
      let c = this.map.get(k[i]);
      if (c === undefined) {
        c = this.strings.length;
        this.map.set(k[i], c);
        this.strings.push(k[i]);
        grew = true;
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

function filterAssign(batches: readonly Batch[]): number {
  const codes = new Codes();
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    const v = b.v;
    let m = 0;
    for (let i = 0; i < n; i++) if (v[i] > 0.5) m++;
    const ok = new Int32Array(m);
    const ov = new Float64Array(m);
    const ots = new Float64Array(m);
    const ow = new Float64Array(m);
    for (let i = 0, j = 0; i < n; i++) {
      if (v[i] > 0.5) {
        ok[j] = k[i];
        ov[j] = v[i];
        ots[j] = b.ts[i];
        ow[j] = v[i] * 2;
        j++;
      }
    }
    out += ow.length;
  }
  return out;
}

function groupbySum(batches: readonly Batch[]): number {
  const codes = new Codes();
  let sums = new Float64Array(16);
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    sums = grown(sums, codes.strings.length);
    for (let i = 0; i < n; i++) sums[k[i]] += b.v[i];
    const order = codes.order;
    const res = new Float64Array(order.length);
    for (let g = 0; g < order.length; g++) res[g] = sums[order[g]];
    out += res.length;
  }
  return out;
}

function windowGroupbyMean(batches: readonly Batch[], size = 10000): number {
  const codes = new Codes();
  const ringK = new Int32Array(size);
  const ringV = new Float64Array(size);
  let head = 0;
  let live = 0;
  let sums = new Float64Array(16);
  let counts = new Int32Array(16);
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const k = new Int32Array(n);
    codes.encode(b.k, k);
    sums = grown(sums, codes.strings.length);
    counts = grown(counts, codes.strings.length);
    for (let i = 0; i < n; i++) {
      if (live === size) {
        const old = ringK[head];
        sums[old] -= ringV[head];
        counts[old]--;
      } else live++;
      ringK[head] = k[i];
      ringV[head] = b.v[i];
      sums[k[i]] += b.v[i];
      counts[k[i]]++;
      head = head + 1 === size ? 0 : head + 1;
    }
    const order = codes.order;
    const res = new Float64Array(order.length);
    let m = 0;
    for (let g = 0; g < order.length; g++) if (counts[order[g]] > 0) res[m++] = sums[order[g]] / counts[order[g]];
    out += m;
  }
  return out;
}

function rollingMean(batches: readonly Batch[], size = 100): number {
  const ring = new Float64Array(size);
  let head = 0;
  let live = 0;
  let sum = 0;
  let out = 0;
  for (const b of batches) {
    const n = b.v.length;
    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (live === size) sum -= ring[head];
      else live++;
      ring[head] = b.v[i];
      sum += b.v[i];
      head = head + 1 === size ? 0 : head + 1;
      res[i] = live === size ? sum / size : NaN;
    }
    out += res.length;
  }
  return out;
}

export const HAND_LOOPS: Record<string, HandLoop> = {
  filter_assign: filterAssign,
  groupby_sum: groupbySum,
  window_groupby_mean: (b) => windowGroupbyMean(b),
  rolling_mean: (b) => rollingMean(b),
};
