/**
 * NEXMark on the bid stream, streamframe vs streamz 0.6.4 + pandas in the same run, same data:
 * the generator's bids in batches of ROWS, pushed as parsed column batches (what a Kafka consumer
 * hands over) into `new DataFrame(...)`, so ingest is timed; streamz gets prebuilt pandas frames.
 * Both sides' outputs are summarised and must agree. Then the peak memory of 1M-event runs.
 * Usage: npx tsx bench/nexmark/run.ts        (EVENTS, ROWS env vars)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchesOf, generateBids, type Bids } from './generator.js';
import { agree, pipeline, QUERIES } from './queries.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const ROWS = Number(process.env.ROWS ?? 1000);
const TARGET: Record<string, number> = { q1: 10, q2: 10, q5: 20, q7: 10 };

const bids = generateBids({ events: EVENTS });
const dir = mkdtempSync(join(tmpdir(), 'nexmark-'));
for (const c of ['auction', 'bidder', 'price', 'dateTime'] as const) writeFileSync(join(dir, `${c}.f64`), bids[c]);
const batches = batchesOf(bids, ROWS);

const script = fileURLToPath(new URL('./streamz_nexmark.py', import.meta.url));
const streamz = JSON.parse(execFileSync('/usr/bin/python3', [script, dir, String(ROWS)], { encoding: 'utf8', maxBuffer: 1 << 28 })) as {
  queries: Record<string, { rowsPerSec: number; result: unknown }>;
  streamz: string;
  pandas: string;
};

/** Median rate of 5 passes after a warm-up, each on a fresh pipeline; and the last pass's check. */
function time(q: (typeof QUERIES)[number], input: Bids[]): { rate: number; result: unknown } {
  const rates: number[] = [];
  let result: unknown;
  for (let rep = 0; rep < 6; rep++) {
    const p = pipeline(q);
    const t0 = process.cpuUsage();
    for (const b of input) p.source.emit(b);
    p.finish();
    const used = process.cpuUsage(t0);
    const dt = (used.user + used.system) / 1e6; // CPU time, as streamz_nexmark.py's process_time: wall time swung 5× on the shared machine
    if (rep > 0) rates.push(bids.auction.length / dt);
    result = p.check.result();
  }
  rates.sort((a, b) => a - b);
  return { rate: rates[rates.length >> 1], result };
}

const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M`;
const lines = ['| query | streamz + pandas (spelling) | streamz bids/CPU-s | streamframe bids/CPU-s | × streamz | target | results agree |', '|---|---|---|---|---|---|---|'];
for (const q of QUERIES) {
  const ours = time(q, batches);
  const theirs = streamz.queries[q.name];
  const x = ours.rate / theirs.rowsPerSec;
  const ok = agree(q.name, ours.result, theirs.result);
  const size = Array.isArray(ours.result) ? (q.name === 'q1' || q.name === 'q2' ? `${(ours.result as number[])[0]} rows` : `${(ours.result as unknown[]).length} rows`) : '';
  lines.push(`| ${q.label} | ${q.streamzNote} | ${fmt(theirs.rowsPerSec)} | ${fmt(ours.rate)} | ${x.toFixed(1)}× | ≥${TARGET[q.name]}× ${x >= TARGET[q.name] ? 'ok' : 'MISSED'} | ${ok ? `yes (${size})` : 'NO'} |`);
  if (!ok) console.error(`${q.name} results differ:\nours   ${JSON.stringify(ours.result).slice(0, 400)}\nstreamz ${JSON.stringify(theirs.result).slice(0, 400)}`);
}
console.log(lines.join('\n'));
console.log(
  `\n${EVENTS} events (${bids.auction.length} bids) in batches of ${ROWS}; streamframe: median of 5 passes after a warm-up, node ${process.version}; streamz ${streamz.streamz}, pandas ${streamz.pandas}: best of 3 passes, frames prebuilt.`,
);

const mem = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./memory.ts', import.meta.url))], { encoding: 'utf8', env: { ...process.env, EVENTS: String(EVENTS), ROWS: String(ROWS) } });
console.log(mem.trim());
