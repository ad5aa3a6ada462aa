/**
 * Core joins on element streams: throughput of the interval join and the table join, and the heap
 * each element held by an interval join costs.
 * Usage: node --import tsx --expose-gc bench/join/core-join.ts [elements per side]
 */
import { Stream } from '../../src/index.js';

interface Ev {
  k: number;
  ts: number;
  v: number;
}

const N = Number(process.argv[2] ?? 500_000);
const KEYS = 1000;
const events = (n: number, step: number): Ev[] => Array.from({ length: n }, (_, i) => ({ k: (i * 7919) % KEYS, ts: i * step + ((i * 31) % 50), v: i }));
const lefts = events(N, 2);
const rights = events(N, 2);

function intervalJoin(): { seconds: number; pairs: number } {
  const left = new Stream<Ev>();
  const right = new Stream<Ev>();
  let pairs = 0;
  left.join(right, { key: 'k', on: 'ts', within: 1000, outOfOrder: 50 }).sink(() => void pairs++);
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    left.emit(lefts[i]);
    right.emit(rights[i]);
  }
  return { seconds: (performance.now() - t) / 1000, pairs };
}

function tableJoin(): { seconds: number; pairs: number } {
  const left = new Stream<Ev>();
  const table = new Stream<Ev>();
  let pairs = 0;
  left.joinLatest(table, { key: 'k' }).sink(() => void pairs++);
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    table.emit(rights[i]);
    left.emit(lefts[i]);
  }
  return { seconds: (performance.now() - t) / 1000, pairs };
}

/** Heap per held element: hold `n` lefts (the right input sends nothing, so the watermark stays put). */
function heldBytes(n: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return Number.NaN;
  const left = new Stream<Ev>();
  const node = left.join(new Stream<Ev>(), { key: 'k', on: 'ts', within: 1000 });
  const held = lefts.slice(0, n).map((e) => ({ ...e }));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const e of held) left.emit(e);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (node.held.left !== n) throw new Error('not all held');
  return (after - before) / n;
}

intervalJoin(); // warm up
const interval = intervalJoin();
tableJoin();
const table = tableJoin();
const bytes = heldBytes(Math.min(N, 200_000));
console.log(`| join | elements (both sides) | s | elements/s | pairs |`);
console.log(`|---|---|---|---|---|`);
console.log(`| interval join, ${KEYS} keys, within 1 s | ${2 * N} | ${interval.seconds.toFixed(2)} | ${Math.round((2 * N) / interval.seconds).toLocaleString('en')} | ${interval.pairs} |`);
console.log(`| table join (joinLatest), ${KEYS} keys | ${2 * N} | ${table.seconds.toFixed(2)} | ${Math.round((2 * N) / table.seconds).toLocaleString('en')} | ${table.pairs} |`);
console.log(`\nheap per element held by an interval join (beyond the element itself): ${Math.round(bytes)} bytes`);
