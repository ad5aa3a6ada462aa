/**
 * One NEXMark query, streamframe and streamz + pandas interleaved: ROUNDS rounds, each one pass
 * set of each side, the order swapped every round, so both see the same machine load; best of the
 * rounds in CPU time per side, with the load average before and after. Each round checks our
 * result against streamz's.
 *
 * Each side runs in a fresh child process that times its passes right after its own setup:
 * streamz builds its pandas frames, then times PASSES passes (best of them); streamframe
 * (`passes.ts`) generates the bids, runs WARM untimed passes (the JIT and the young generation
 * settle, as in a long-running job), then times PASSES passes. Before (OURS=inline, the old
 * protocol), our passes ran in this process right after it had waited, blocked, for the python
 * child: V8 takes a process that allocated nothing for seconds as idle, and at its next GC
 * discards its pooled heap pages and shrinks the young generation, so the pass re-faulted ~30 MB
 * and ran with many more scavenges: 2-3× slower, after a `sleep` child as much as after python (see
 * after-child.ts and bench/RESULTS.md). A job that streams continuously does not see that.
 * Usage: Q=q5 ROUNDS=5 npx tsx bench/nexmark/interleaved.ts   (EVENTS, ROWS, PASSES, WARM, OURS=inline)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchesOf, generateBids } from './generator.js';
import { agree, pipeline, QUERIES } from './queries.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const ROWS = Number(process.env.ROWS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PASSES = Number(process.env.PASSES ?? 3);
const WARM = Number(process.env.WARM ?? 5);
const INLINE = process.env.OURS === 'inline';
const query = QUERIES.find((q) => q.name === (process.env.Q ?? 'q5'))!;

const bids = generateBids({ events: EVENTS });
const dir = mkdtempSync(join(tmpdir(), 'nexmark-'));
for (const c of ['auction', 'bidder', 'price', 'dateTime'] as const) writeFileSync(join(dir, `${c}.f64`), bids[c]);
const streamzScript = fileURLToPath(new URL('./streamz_nexmark.py', import.meta.url));
const passesScript = fileURLToPath(new URL('./passes.ts', import.meta.url));

interface Side {
  rate: number;
  result: unknown;
}

function streamz(): Side {
  const out = JSON.parse(execFileSync('/usr/bin/python3', [streamzScript, dir, String(ROWS), query.name, String(PASSES)], { encoding: 'utf8', maxBuffer: 1 << 28 })) as { queries: Record<string, { rowsPerSec: number; result: unknown }> };
  return { rate: out.queries[query.name].rowsPerSec, result: out.queries[query.name].result };
}

function ours(): Side {
  const env = { ...process.env, Q: query.name, EVENTS: String(EVENTS), ROWS: String(ROWS), WARM: String(WARM), REPS: String(PASSES), JSON: '1' };
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', passesScript], { encoding: 'utf8', env, maxBuffer: 1 << 28 })) as { rates: number[]; result: unknown };
  return { rate: Math.max(...out.rates), result: out.result };
}

/** The old protocol: PASSES passes in this process, right after the streamz child (after WARM passes once, at the start). */
const batches = INLINE ? batchesOf(bids, ROWS) : [];
function oursInline(): Side {
  let best = 0;
  let result: unknown;
  for (let i = 0; i < PASSES; i++) {
    const p = pipeline(query);
    const t0 = process.cpuUsage();
    for (const b of batches) p.source.emit(b);
    p.finish();
    const used = process.cpuUsage(t0);
    best = Math.max(best, bids.auction.length / ((used.user + used.system) / 1e6));
    result = p.check.result();
  }
  return { rate: best, result };
}
if (INLINE) for (let i = 0; i < WARM; i++) oursInline();

const load = loadavg()[0];
const theirs: number[] = [];
const mine: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const run = INLINE ? oursInline : ours;
  let a: Side;
  let b: Side;
  if (r % 2 === 0 || INLINE) (a = streamz()), (b = run());
  else (b = run()), (a = streamz());
  theirs.push(a.rate);
  mine.push(b.rate);
  if (!agree(query.name, b.result, a.result)) throw new Error(`${query.name}: results differ from streamz's in round ${r + 1}`);
}
rmSync(dir, { recursive: true });
const best = (xs: number[]) => Math.max(...xs);
const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M`;
const protocol = INLINE ? `ours in this process right after the streamz child (${WARM} warm passes at the start)` : `each side a fresh process, ours after ${WARM} warm passes`;
console.log(`${query.name}: ${protocol}; best of ${PASSES} passes per round`);
console.log(`${query.name}: streamz ${theirs.map(fmt).join(' ')} | streamframe ${mine.map(fmt).join(' ')} bids/CPU-s; results agree with streamz in every round`);
console.log(`${query.name}: best streamz ${fmt(best(theirs))}, best streamframe ${fmt(best(mine))}: ${(best(mine) / best(theirs)).toFixed(1)}× (round by round: ${mine.map((o, i) => (o / theirs[i]).toFixed(1)).join(' ')}); load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
