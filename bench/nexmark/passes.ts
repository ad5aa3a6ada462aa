/**
 * One NEXMark query alone, REPS consecutive passes in one process (no other process between them),
 * each pass's CPU rate printed: to profile a query (`node --cpu-prof --import tsx`) and to see how
 * many passes it takes to reach its steady speed.
 * Usage: Q=q5 REPS=12 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/nexmark/passes.ts
 */
import { batchesOf, generateBids } from './generator.js';
import { pipeline, QUERIES } from './queries.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const query = QUERIES.find((q) => q.name === (process.env.Q ?? 'q5'))!;
const bids = generateBids({ events: EVENTS });
const batches = batchesOf(bids, Number(process.env.ROWS ?? 1000));
const rates: number[] = [];
for (let rep = 0; rep < Number(process.env.REPS ?? 12); rep++) {
  const p = pipeline(query);
  const t0 = process.cpuUsage();
  for (const b of batches) p.source.emit(b);
  p.finish();
  const used = process.cpuUsage(t0);
  rates.push(bids.auction.length / ((used.user + used.system) / 1e6));
}
const sorted = [...rates].sort((a, b) => a - b);
console.log(`${query.name}: ${rates.map((r) => (r / 1e6).toFixed(2)).join(' ')} M bids/CPU-s; best ${(sorted[sorted.length - 1] / 1e6).toFixed(2)}M, median ${(sorted[sorted.length >> 1] / 1e6).toFixed(2)}M`);
