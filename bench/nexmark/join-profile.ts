/**
 * One join query alone, REPS passes, best CPU time: run under `node --cpu-prof --import tsx` to profile it.
 * Usage: Q=q8 REPS=10 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/nexmark/join-profile.ts
 */
import { generatePeople } from './people.js';
import { joinPipeline } from './join-queries.js';
const q = (process.env.Q ?? 'q8') as 'q3' | 'q8';
const chunks = generatePeople({ events: 10_000_000, chunkEvents: 20_000 });
let best = Infinity;
for (let rep = 0; rep < Number(process.env.REPS ?? 10); rep++) {
  const p = joinPipeline(q, process.env.KEEP === "1");
  const t0 = process.cpuUsage();
  for (const c of chunks) p.push(c);
  p.finish();
  const t = process.cpuUsage(t0);
  best = Math.min(best, (t.user + t.system) / 1e6);
}
console.log(q, 'best cpu s', best.toFixed(3));
