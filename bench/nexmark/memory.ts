/**
 * Peak memory of 1M-event NEXMark runs (Q5 and Q7) against the raw bytes of the live window:
 * every few batches, after a full GC, the heap + ArrayBuffers in use above the baseline taken
 * once the input was generated and the query warmed up on 200 batches (the input and the compiled
 * code are not the window's). The live window's raw
 * bytes: the bids of one window span (10 s) at 32 bytes a bid (four float64 columns).
 * Run with --expose-gc (bench/nexmark/run.ts does).
 */
import { batchesOf, generateBids } from './generator.js';
import { pipeline, QUERIES } from './queries.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = () => {
  gc();
  gc(); // the second collection also releases the ArrayBuffers the first one freed
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const ROWS = Number(process.env.ROWS ?? 1000);
const bids = generateBids({ events: EVENTS });
const batches = batchesOf(bids, ROWS);
const spanMs = bids.dateTime[bids.dateTime.length - 1] - bids.dateTime[0];
const windowRaw = (bids.auction.length * 10_000 * 32) / spanMs;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

for (const name of ['q5', 'q7']) {
  const q = QUERIES.find((x) => x.name === name)!;
  // A warm-up run first, so compiled code and V8's caches are in the baseline, not in the peak.
  const warm = pipeline(q);
  batches.slice(0, 200).forEach((b) => warm.source.emit(b));
  warm.finish();
  const p = pipeline(q);
  const base = used();
  let peak = 0;
  batches.forEach((b, i) => {
    // Fresh buffers per batch, as a consumer hands them over: what the window keeps is counted.
    p.source.emit({ auction: b.auction.slice(), bidder: b.bidder.slice(), price: b.price.slice(), dateTime: b.dateTime.slice() });
    if (i % 20 === 0) peak = Math.max(peak, used() - base);
  });
  p.finish();
  console.log(`${name}: peak held ${mb(peak)} vs the live 10 s window's raw bids ${mb(windowRaw)} = ${(peak / windowRaw).toFixed(2)}× (target ≤ 2×)`);
}
