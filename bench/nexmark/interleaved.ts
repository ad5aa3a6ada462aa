/**
 * One NEXMark query, streamframe and streamz + pandas interleaved: ROUNDS rounds, each one streamz
 * pass (a child python3 process) then two streamframe passes, so both see the same machine load;
 * best of the rounds in CPU time per side, with the load average before and after. Our first pass
 * after the idle seconds of the python run is reported apart ("cold"): V8 drops compiled code
 * while idle, and recompiling it shows in the CPU time. Each round checks our result against streamz's.
 * Usage: Q=q5 ROUNDS=5 npx tsx bench/nexmark/interleaved.ts      (EVENTS, ROWS env vars)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchesOf, generateBids } from './generator.js';
import { agree, pipeline, QUERIES } from './queries.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const ROWS = Number(process.env.ROWS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const query = QUERIES.find((q) => q.name === (process.env.Q ?? 'q5'))!;

const bids = generateBids({ events: EVENTS });
const dir = mkdtempSync(join(tmpdir(), 'nexmark-'));
for (const c of ['auction', 'bidder', 'price', 'dateTime'] as const) writeFileSync(join(dir, `${c}.f64`), bids[c]);
const batches = batchesOf(bids, ROWS);
const script = fileURLToPath(new URL('./streamz_nexmark.py', import.meta.url));

let result: unknown;
function oursOnce(): number {
  const p = pipeline(query);
  const t0 = process.cpuUsage();
  for (const b of batches) p.source.emit(b);
  p.finish();
  const used = process.cpuUsage(t0);
  result = p.check.result();
  return bids.auction.length / ((used.user + used.system) / 1e6);
}

oursOnce(); // warm-up
const load = loadavg()[0];
const theirs: number[] = [];
const cold: number[] = [];
const ours: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const out = JSON.parse(execFileSync('/usr/bin/python3', [script, dir, String(ROWS), query.name, '1'], { encoding: 'utf8', maxBuffer: 1 << 28 })) as { queries: Record<string, { rowsPerSec: number; result: unknown }> };
  theirs.push(out.queries[query.name].rowsPerSec);
  cold.push(oursOnce());
  ours.push(oursOnce());
  if (!agree(query.name, result, out.queries[query.name].result)) throw new Error(`${query.name}: results differ from streamz's in round ${r + 1}`);
}
const best = (xs: number[]) => Math.max(...xs);
const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M`;
console.log(`${query.name}: streamz ${theirs.map(fmt).join(' ')} | streamframe cold ${cold.map(fmt).join(' ')}, warm ${ours.map(fmt).join(' ')} bids/CPU-s`);
console.log(`${query.name}: results agree with streamz in every round`);
console.log(`${query.name}: cold: best ${fmt(best(cold))}, ${(best(cold) / best(theirs)).toFixed(1)}×`);
console.log(`${query.name}: best streamz ${fmt(best(theirs))}, best streamframe ${fmt(best(ours))}: ${(best(ours) / best(theirs)).toFixed(1)}× (round by round: ${ours.map((o, i) => (o / theirs[i]).toFixed(1)).join(' ')}); load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
