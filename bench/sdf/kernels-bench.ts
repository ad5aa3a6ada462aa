/**
 * SDF kernel benchmark: 1000 batches x 1000 rows, 100 string keys, batches pre-built as column
 * objects. Run: npx tsx bench/sdf/kernels-bench.ts [--json]
 * Compare with bench/sdf/streamz_sdf.py (same shapes, streamz.dataframe + pandas).
 */
import {
  Ingestor,
  GroupbyState,
  WindowedAggregation,
  RollingState,
  col,
  filterFrame,
  assignFrame,
  type Schema,
} from '../../src/dataframe/index.js';
import { makeBatches, ROWS } from './data.js';

const schema: Schema = { k: 'utf8', v: 'float64', ts: 'timestamp' };

function time(name: string, batches: ReturnType<typeof makeBatches>, run: (ing: Ingestor, b: (typeof batches)[number]) => void, setup?: (ing: Ingestor) => void): number {
  // one warm-up pass, then 5 measured passes, each on a fresh state; report the median
  const rates: number[] = [];
  for (let rep = 0; rep < 6; rep++) {
    const ing = new Ingestor(schema);
    setup?.(ing);
    const t0 = performance.now();
    for (const b of batches) run(ing, b);
    const dt = (performance.now() - t0) / 1000;
    if (rep > 0) rates.push((batches.length * ROWS) / dt);
  }
  rates.sort((a, b) => a - b);
  const rps = rates[rates.length >> 1];
  if (!process.argv.includes('--json')) console.log(`${name.padEnd(44)} ${(rps / 1e6).toFixed(2)} M rows/s (median of 5; min ${(rates[0] / 1e6).toFixed(2)}, max ${(rates[rates.length - 1] / 1e6).toFixed(2)})`);
  return rps;
}

const batches = makeBatches();
const results: Record<string, number> = {};
let sink = 0;

results.filter_assign = time('ingest + filter(v>0.5) + assign(w=v*2)', batches, (ing, b) => {
  const f = assignFrame(filterFrame(ing.ingest(b), col('v').gt(0.5)), { w: col('v').mul(2) });
  sink += f.length;
});

{
  let gb!: GroupbyState;
  results.groupby_sum = time(
    'ingest + cumulative groupby(k).v.sum()',
    batches,
    (ing, b) => {
      gb.update(ing.ingest(b));
      sink += gb.result().length;
    },
    (ing) => (gb = new GroupbyState({ schema, dicts: ing.dicts, by: 'k', aggs: [{ column: 'v', op: 'sum', name: 'v' }] })),
  );
}
{
  let w!: WindowedAggregation;
  results.window_groupby_mean = time(
    'ingest + window(n=10000).groupby(k).v.mean()',
    batches,
    (ing, b) => {
      w.update(ing.ingest(b));
      sink += w.result().length;
    },
    (ing) => (w = new WindowedAggregation({ window: { n: 10000 }, schema, dicts: ing.dicts, by: 'k', aggs: [{ column: 'v', op: 'mean', name: 'v' }] })),
  );
}
{
  let r!: RollingState;
  results.rolling_mean = time(
    'ingest + v.rolling(100).mean()',
    batches,
    (ing, b) => {
      sink += r.update(ing.ingest(b)).length;
    },
    () => (r = new RollingState({ column: 'v', window: 100, ops: ['mean'] })),
  );
}

// extra workloads (no streamz counterpart in streamz_sdf.py)
{
  let w!: WindowedAggregation;
  results.time_window_groupby_mean = time(
    '(extra) window(10s on ts).groupby(k).v.mean()',
    batches,
    (ing, b) => {
      w.update(ing.ingest(b));
      sink += w.result().length;
    },
    (ing) => (w = new WindowedAggregation({ window: { value: '10s', on: 'ts' }, schema, dicts: ing.dicts, by: 'k', aggs: [{ column: 'v', op: 'mean', name: 'v' }] })),
  );
}
{
  let w!: WindowedAggregation;
  results.window_groupby_agg4 = time(
    '(extra) window(n=10000).groupby(k).agg(v: sum mean std max)',
    batches,
    (ing, b) => {
      w.update(ing.ingest(b));
      sink += w.result().length;
    },
    (ing) => (w = new WindowedAggregation({ window: { n: 10000 }, schema, dicts: ing.dicts, by: 'k', aggs: { v: ['sum', 'mean', 'std', 'max'] } })),
  );
}

// memory: a 1M-row window (utf8 key, float64, timestamp)
function heapMB(): number {
  // array buffers are freed lazily; several full GCs make the figure steadier (still approximate)
  for (let i = 0; i < 4; i++) (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}
let memory: Record<string, number> = {};
{
  // the window of a window(n=1_000_000).groupby('k').v.mean() (rows plus their group ids)
  const ing = new Ingestor(schema);
  const before = heapMB();
  const agg = new WindowedAggregation({ window: { n: 1_000_000 }, schema, dicts: ing.dicts, by: 'k', aggs: [{ column: 'v', op: 'mean', name: 'v' }] });
  for (let i = 0; i < 1000; i++) agg.update(ing.ingest(batches[i % batches.length]));
  const after = heapMB();
  const w = agg.window;
  const raw = w.length * (4 + 8 + 8);
  memory = { rows: w.length, rawBytes: raw, heldBytes: w.byteLength(), heapDeltaBytes: after - before, ratio: (after - before) / raw };
  if (!process.argv.includes('--json')) {
    console.log(
      `1M-row window (k utf8, v float64, ts timestamp) + group ids: raw ${(raw / 1e6).toFixed(1)} MB, held buffers ${(w.byteLength() / 1e6).toFixed(1)} MB, heap+arrayBuffers delta ${((after - before) / 1e6).toFixed(1)} MB = ${memory.ratio.toFixed(2)}x raw${(globalThis as { gc?: unknown }).gc ? '' : ' [run with --expose-gc for a precise figure]'}`,
    );
  }
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ rowsPerSec: results, memory }));
if (sink === -1) console.log(sink);
