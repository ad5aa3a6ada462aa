/**
 * Core joins on element streams: throughput of the interval, as-of and table joins (CPU time of
 * this process, the three interleaved, best of ROUNDS), and the heap each element held by an
 * interval join, and each version held by an as-of join, costs.
 * Usage: node --import tsx --expose-gc bench/join/core-join.ts [elements per side] [rounds]
 */
import { loadavg } from 'node:os';
import { Stream } from '../../src/index.js';

interface Ev {
  k: number;
  ts: number;
  v: number;
}

const N = Number(process.argv[2] ?? 500_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const KEYS = 1000;
const events = (n: number, step: number): Ev[] => Array.from({ length: n }, (_, i) => ({ k: (i * 7919) % KEYS, ts: i * step + ((i * 31) % 50), v: i }));
const lefts = events(N, 2);
const rights = events(N, 2);

/** CPU seconds (user + system) spent in `run`: less disturbed than wall time by other processes on a shared machine. */
function cpuSeconds(run: () => void): number {
  const t = process.cpuUsage();
  run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}

function intervalJoin(): { seconds: number; pairs: number } {
  const left = new Stream<Ev>();
  const right = new Stream<Ev>();
  let pairs = 0;
  left.join(right, { key: 'k', on: 'ts', within: 1000, outOfOrder: 50 }).sink(() => void pairs++);
  const seconds = cpuSeconds(() => {
    for (let i = 0; i < N; i++) {
      left.emit(lefts[i]);
      right.emit(rights[i]);
    }
  });
  return { seconds, pairs };
}

function asofJoin(): { seconds: number; pairs: number } {
  const left = new Stream<Ev>();
  const table = new Stream<Ev>();
  let pairs = 0;
  left.joinAsof(table, { key: 'k', on: 'ts', outOfOrder: 50 }).sink(() => void pairs++);
  const seconds = cpuSeconds(() => {
    for (let i = 0; i < N; i++) {
      table.emit(rights[i]);
      left.emit(lefts[i]);
    }
  });
  return { seconds, pairs };
}

function tableJoin(): { seconds: number; pairs: number } {
  const left = new Stream<Ev>();
  const table = new Stream<Ev>();
  let pairs = 0;
  left.joinLatest(table, { key: 'k' }).sink(() => void pairs++);
  const seconds = cpuSeconds(() => {
    for (let i = 0; i < N; i++) {
      table.emit(rights[i]);
      left.emit(lefts[i]);
    }
  });
  return { seconds, pairs };
}

/**
 * Heap per held element: `hold` feeds `n` elements into a join whose other input sends nothing
 * (so no watermark moves and everything stays) and returns how to count what it holds (which
 * keeps the join alive until measured).
 */
function heldBytes(n: number, hold: (elements: Ev[]) => () => number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return Number.NaN;
  const elements = lefts.slice(0, n).map((e) => ({ ...e }));
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = hold(elements);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (held() !== n) throw new Error('not all held');
  return (after - before) / n;
}

function heldByIntervalJoin(elements: Ev[]): () => number {
  const left = new Stream<Ev>();
  const node = left.join(new Stream<Ev>(), { key: 'k', on: 'ts', within: 1000 });
  for (const e of elements) left.emit(e);
  return () => node.held.left;
}

/** Versions: the left input sends nothing, so its watermark frees none. */
function heldByAsofJoin(elements: Ev[]): () => number {
  const table = new Stream<Ev>();
  const node = new Stream<Ev>().joinAsof(table, { key: 'k', on: 'ts', outOfOrder: 50 });
  for (const e of elements) table.emit(e);
  return () => node.held.right;
}

const joins = { interval: intervalJoin, asof: asofJoin, table: tableJoin };
const best: Record<string, { seconds: number; pairs: number }> = {};
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(joins)) {
    const r = run();
    if (round > 0 && (best[name] === undefined || r.seconds < best[name].seconds)) best[name] = r; // round 0 warms up
  }
}
const row = (label: string, r: { seconds: number; pairs: number }) =>
  console.log(`| ${label} | ${2 * N} | ${r.seconds.toFixed(2)} | ${Math.round((2 * N) / r.seconds).toLocaleString('en')} | ${r.pairs} |`);
console.log(`| join | elements (both sides) | CPU s (best of ${ROUNDS}) | elements/s | pairs |`);
console.log(`|---|---|---|---|---|`);
row(`interval join, ${KEYS} keys, within 1 s`, best.interval);
row(`as-of join (joinAsof), ${KEYS} keys, outOfOrder 50 ms`, best.asof);
row(`table join (joinLatest), ${KEYS} keys`, best.table);
const n = Math.min(N, 200_000);
console.log(`\nheap per element held by an interval join (beyond the element itself): ${Math.round(heldBytes(n, heldByIntervalJoin))} bytes`);
console.log(`heap per version held by an as-of join (beyond the element itself): ${Math.round(heldBytes(n, heldByAsofJoin))} bytes`);
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
