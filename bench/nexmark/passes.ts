/**
 * One NEXMark query alone in this process: WARM untimed passes, then REPS timed ones, each on a
 * fresh pipeline with nothing else in between; each timed pass's CPU rate. Used by interleaved.ts
 * (JSON=1: the rates and the last pass's result check as JSON) and to profile a query:
 * Q=q5 REPS=12 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/nexmark/passes.ts
 */
import { batchesOf, generateBids } from './generator.js';
import { pipeline, QUERIES } from './queries.js';

const query = QUERIES.find((q) => q.name === (process.env.Q ?? 'q5'))!;
const bids = generateBids({ events: Number(process.env.EVENTS ?? 1_000_000) });
const batches = batchesOf(bids, Number(process.env.ROWS ?? 1000));
const warm = Number(process.env.WARM ?? 0);
const rates: number[] = [];
let result: unknown;
for (let rep = 0; rep < warm + Number(process.env.REPS ?? 12); rep++) {
  const p = pipeline(query);
  const t0 = process.cpuUsage();
  for (const b of batches) p.source.emit(b);
  p.finish();
  const used = process.cpuUsage(t0);
  if (rep >= warm) rates.push(bids.auction.length / ((used.user + used.system) / 1e6));
  result = p.check.result();
}
if (process.env.JSON === '1') console.log(JSON.stringify({ rates, result }));
else {
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(`${query.name}: ${rates.map((r) => (r / 1e6).toFixed(2)).join(' ')} M bids/CPU-s; best ${(sorted[sorted.length - 1] / 1e6).toFixed(2)}M, median ${(sorted[sorted.length >> 1] / 1e6).toFixed(2)}M`);
}
