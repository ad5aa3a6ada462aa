/**
 * NEXMark Q3 and Q8 (joins), streamframe vs streamz 0.6.4 + pandas on the same persons and
 * auctions: chunks of CHUNK events, each a persons batch then an auctions batch, pushed as parsed
 * columns into `new DataFrame(...)` (ingest timed); streamz gets prebuilt pandas frames. Both
 * sides' results must agree. Then the join state: rows held against rows in memory, and the heap
 * above a baseline (after full collections) against the raw bytes of the rows held.
 * Usage: node --expose-gc --import tsx bench/nexmark/join-run.ts     (EVENTS, CHUNK env vars)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePeople, type Chunk } from './people.js';
import { joinPipeline } from './join-queries.js';

const EVENTS = Number(process.env.EVENTS ?? 10_000_000);
const CHUNK = Number(process.env.CHUNK ?? 20_000);
const chunks = generatePeople({ events: EVENTS, chunkEvents: CHUNK });
const rows = chunks.reduce((n, c) => n + c.persons.id.length + c.auctions.id.length, 0);
const file = join(mkdtempSync(join(tmpdir(), 'nexmark-joins-')), 'chunks.json');
const plain = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.from(v as ArrayLike<unknown>)]));
writeFileSync(file, JSON.stringify(chunks.map((c) => ({ persons: plain(c.persons), auctions: plain(c.auctions) }))));

const script = fileURLToPath(new URL('./streamz_joins.py', import.meta.url));
const streamz = JSON.parse(execFileSync('/usr/bin/python3', [script, file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as {
  queries: Record<string, { rowsPerSec: number; result: unknown }>;
  streamz: string;
  pandas: string;
};

function time(name: 'q3' | 'q8', input: Chunk[]): { rate: number; result: unknown } {
  const rates: number[] = [];
  let result: unknown;
  for (let rep = 0; rep < 6; rep++) {
    const p = joinPipeline(name);
    const t0 = performance.now();
    for (const c of input) p.push(c);
    p.finish();
    if (rep > 0) rates.push(rows / ((performance.now() - t0) / 1000));
    result = p.result();
  }
  rates.sort((a, b) => a - b);
  return { rate: rates[rates.length >> 1], result };
}

const LABELS = { q3: 'Q3 local item suggestion: auctions (category 10) as-of join persons (OR, ID, CA) on seller', q8: 'Q8 new users: persons window join auctions on id = seller, tumbling 10 s' };
const NOTES = { q3: '`accumulate` the persons table, `zip_latest` each auction batch with it, `pd.merge`', q8: '`zip` the two streams, `accumulate` each window\'s frames, `pd.merge` at its end' };
const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M`;
const lines = ['| query | streamz + pandas spelling | streamz rows/s | streamframe rows/s | × streamz | results agree |', '|---|---|---|---|---|---|'];
for (const name of ['q3', 'q8'] as const) {
  const ours = time(name, chunks);
  const theirs = streamz.queries[name];
  const ok = JSON.stringify(ours.result) === JSON.stringify(theirs.result);
  lines.push(`| ${LABELS[name]} | ${NOTES[name]} | ${fmt(theirs.rowsPerSec)} | ${fmt(ours.rate)} | ${(ours.rate / theirs.rowsPerSec).toFixed(1)}× | ${ok ? `yes (${(ours.result as unknown[]).length} rows)` : 'NO'} |`);
  if (!ok) console.error(`${name} results differ:\nours    ${JSON.stringify(ours.result).slice(0, 300)}\nstreamz ${JSON.stringify(theirs.result).slice(0, 300)}`);
}
console.log(lines.join('\n'));
console.log(`\n${EVENTS} events (${rows} persons + auctions) in chunks of ${CHUNK} events; streamframe: median of 5 passes after a warm-up, node ${process.version}; streamz ${streamz.streamz}, pandas ${streamz.pandas}: best of 3, frames prebuilt.`);

// Join state at its peak: rows held (what the join must keep) vs rows in memory, and heap vs their raw bytes.
const gc = (globalThis as { gc?: () => void }).gc;
const used = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const ROW_BYTES = { q3: { left: 32, right: 28 }, q8: { left: 36, right: 40 } }; // float64 8, utf8 code 4, plus window_start 8 (q8)
for (const name of ['q3', 'q8'] as const) {
  const p = joinPipeline(name, false);
  const base = used();
  let peak = { ratio: 0, heap: 0, raw: 0, held: '', retained: '' };
  chunks.forEach((c, i) => {
    p.push({ persons: { ...c.persons, id: c.persons.id.slice() }, auctions: { ...c.auctions, id: c.auctions.id.slice() } });
    if (gc !== undefined && i % 25 === 24) {
      const held = p.node.held;
      const raw = held.left * ROW_BYTES[name].left + held.right * ROW_BYTES[name].right;
      const heap = used() - base;
      const retained = 'retained' in p.node ? (p.node as { retained: Record<string, number> }).retained : held;
      if (heap > peak.heap) peak = { ratio: heap / raw, heap, raw, held: `${held.left} + ${held.right}`, retained: `${retained.left} + ${retained.right}` };
    }
  });
  const held = p.node.held;
  console.log(`${name}: at the end holds ${held.left} left + ${held.right} right rows; at the peak heap: held ${peak.held}, in memory ${peak.retained} rows, heap ${(peak.heap / 1e6).toFixed(1)} MB vs ${(peak.raw / 1e6).toFixed(1)} MB raw = ${peak.ratio.toFixed(2)}×${gc === undefined ? ' (run with --expose-gc for the heap)' : ''}`);
}
