/**
 * 1M-row window memory: feed 1000 batches of 1000 rows through
 * `sdf.window({ n: 1_000_000 }).groupby('k').col('v').mean()` and compare the memory the process
 * holds afterwards (V8 heap + ArrayBuffers, after a full GC, minus the baseline) with the raw
 * columnar bytes of the window (k as int32 codes, v and ts as float64: 20 bytes a row).
 * Run with --expose-gc (bench/sdf/run.ts does).
 */
import { DataFrame, Rng, Stream } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const ROWS = 1000;
const BATCHES = 1000;
const rng = new Rng(7);
const keys = Array.from({ length: 100 }, (_, i) => `key${i}`);
const source = new Stream<unknown>();
const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64', ts: 'timestamp' } });
const agg = sdf.window({ n: BATCHES * ROWS }).groupby('k').col('v').mean();
let groups = 0;
agg.stream.sink((f) => void (groups = f.length));
const before = used();
let t = 0;
for (let b = 0; b < BATCHES; b++) {
  // Each batch is built and dropped here, so only what the window keeps stays reachable.
  const k = new Array<string>(ROWS);
  const v = new Float64Array(ROWS);
  const ts = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    k[i] = keys[rng.nextU32() % 100];
    v[i] = rng.random();
    ts[i] = t++;
  }
  source.emit({ k, v, ts });
}
const held = used() - before;
// Keep the graph reachable until after the measurement (else V8 may collect it as dead).
if (source.downstreams.length !== 1 || agg.stream.upstreams.length !== 1) throw new Error('graph changed');
const raw = BATCHES * ROWS * (4 + 8 + 8);
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
console.log(`\n1M-row window (k utf8, v float64, ts timestamp), ${groups} groups: raw columnar ${mb(raw)}, held after GC (heap + ArrayBuffers) ${mb(held)} = ${(held / raw).toFixed(2)}× raw (target ≤ 2×)`);
