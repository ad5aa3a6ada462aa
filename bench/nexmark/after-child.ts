/**
 * Why is our pass slower right after the streamz child ran? Steady-state passes of one query (after
 * WARM passes), each right after a child of one kind, kinds rotated round by round so all see the
 * same load: `python` (the streamz + pandas run of interleaved.ts), `sleep` (as long as the last
 * python child), `busy` (python3 spinning as long, no pandas, little memory), `none`. Per pass: CPU
 * rate, user / system ms, minor page faults, involuntary context switches, GC ms, wall ms.
 * Usage: Q=q5 ROUNDS=4 node --expose-gc --import tsx bench/nexmark/after-child.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { batchesOf, generateBids } from './generator.js';
import { pipeline, QUERIES } from './queries.js';

const query = QUERIES.find((q) => q.name === (process.env.Q ?? 'q5'))!;
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const bids = generateBids({ events: Number(process.env.EVENTS ?? 1_000_000) });
const dir = mkdtempSync(join(tmpdir(), 'nexmark-'));
for (const c of ['auction', 'bidder', 'price', 'dateTime'] as const) writeFileSync(join(dir, `${c}.f64`), bids[c]);
const batches = batchesOf(bids, 1000);
const script = fileURLToPath(new URL('./streamz_nexmark.py', import.meta.url));

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
const tick = () => new Promise((r) => setImmediate(r));

interface Pass { rate: number; user: number; sys: number; faults: number; switches: number; gc: number; wall: number }
async function pass(): Promise<Pass> {
  await tick(); // deliver the GC entries of what ran before
  const gc0 = gcMs;
  const r0 = process.resourceUsage();
  const w0 = performance.now();
  const p = pipeline(query);
  for (const b of batches) p.source.emit(b);
  p.finish();
  const wall = performance.now() - w0;
  const r1 = process.resourceUsage();
  await tick();
  const user = (r1.userCPUTime - r0.userCPUTime) / 1000;
  const sys = (r1.systemCPUTime - r0.systemCPUTime) / 1000;
  return { rate: bids.auction.length / ((user + sys) / 1000), user, sys, faults: r1.minorPageFault - r0.minorPageFault, switches: r1.involuntaryContextSwitches - r0.involuntaryContextSwitches, gc: gcMs - gc0, wall };
}

let pythonSeconds = 5;
const children: Record<string, () => void> = {
  python: () => {
    const t = performance.now();
    execFileSync('/usr/bin/python3', [script, dir, '1000', query.name, '1'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    pythonSeconds = (performance.now() - t) / 1000;
  },
  sleep: () => void execFileSync('/bin/sleep', [pythonSeconds.toFixed(2)]),
  busy: () => void execFileSync('/usr/bin/python3', ['-c', `import time\nt=time.time()\nwhile time.time()-t<${pythonSeconds.toFixed(2)}: pass`]),
  none: () => {},
};

for (let i = 0; i < Number(process.env.WARM ?? 10); i++) await pass();
const load = loadavg()[0];
const kinds = Object.keys(children);
const seen: Record<string, Pass[][]> = Object.fromEntries(kinds.map((k) => [k, [[], []]]));
for (let r = 0; r < ROUNDS; r++) {
  for (let j = 0; j < kinds.length; j++) {
    const kind = kinds[(r + j) % kinds.length];
    children[kind]();
    seen[kind][0].push(await pass());
    seen[kind][1].push(await pass());
  }
}
rmSync(dir, { recursive: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${query.name}: medians over ${ROUNDS} rounds after ${process.env.WARM ?? 10} warm passes; python child ≈ ${pythonSeconds.toFixed(1)} s wall; load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
console.log('| after | pass | M bids/CPU-s | user ms | sys ms | minor faults | invol. switches | GC ms | wall ms |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const kind of kinds) {
  for (const n of [0, 1]) {
    const ps = seen[kind][n];
    const m = (f: (p: Pass) => number, d = 0) => median(ps.map(f)).toFixed(d);
    console.log(`| ${kind} | ${n + 1} | ${(median(ps.map((p) => p.rate)) / 1e6).toFixed(2)} (${ps.map((p) => (p.rate / 1e6).toFixed(1)).join(' ')}) | ${m((p) => p.user)} | ${m((p) => p.sys)} | ${m((p) => p.faults)} | ${m((p) => p.switches)} | ${m((p) => p.gc)} | ${m((p) => p.wall)} |`);
  }
}
