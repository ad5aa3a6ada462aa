/**
 * An SDF pipeline's throughput with a checkpoint every second, against the same pipeline without
 * checkpoints, on the filesystem and on S3 (s3rver on loopback). Target: ≥90% of the throughput.
 * Usage: npx tsx bench/checkpoint/pipeline-bench.ts [batches] [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFrame, runJob, Stream, type CheckpointOptions } from '../../src/index.js';
import { startS3 } from '../../test/fixtures/s3.js';

const BATCHES = Number(process.argv[2] ?? 40_000);
const ROWS = 1000;
const KEYS = Array.from({ length: 100 }, (_, i) => `key${i}`);

/** 100 distinct batches, cycled: the cost is the pipeline's, not the data generator's. */
const pool = Array.from({ length: 100 }, (_, b) => ({
  k: Array.from({ length: ROWS }, (_, i) => KEYS[(i * 7 + b) % KEYS.length]),
  v: Float64Array.from({ length: ROWS }, (_, i) => Math.sin(b * ROWS + i)),
  ts: Float64Array.from({ length: ROWS }, (_, i) => (b * ROWS + i) * 10),
}));
function* batches(n: number) {
  for (let i = 0; i < n; i++) yield pool[i % pool.length];
}

async function run(label: string, checkpoint?: CheckpointOptions) {
  const source = Stream.fromIterable(batches(BATCHES)).name('batches');
  const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64', ts: 'timestamp' } });
  sdf.groupby('k').col('v').sum().name('sums');
  sdf.window({ n: 10_000 }).groupby('k').col('v').mean().name('window-means');
  const start = performance.now();
  const job = runJob(source, { name: 'bench', handleSignals: false, metrics: true, checkpoint });
  await job.done;
  const seconds = (performance.now() - start) / 1000;
  const m = job.metrics();
  return { label, rowsPerSecond: (BATCHES * ROWS) / seconds, seconds, checkpoints: m.checkpoints.written, lastMs: m.checkpoints.lastDurationMs, lastBytes: m.checkpoints.lastBytes };
}

const ROUNDS = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const s3 = await startS3();
const dir = mkdtempSync(join(tmpdir(), 'sf-pipeline-bench-'));
try {
  await run('warm-up');
  // Variants alternate round by round, so a busy moment on a shared machine hits all of them.
  const variants: [string, (round: number) => CheckpointOptions | undefined][] = [
    ['no checkpoints', () => undefined],
    ['checkpoint every 1 s → filesystem', (r) => ({ store: join(dir, `fs-${r}`), every: { ms: 1000 } })],
    ['checkpoint every 1 s → S3 (s3rver)', (r) => ({ store: `s3://${s3.bucket}/bench-${r}`, storeOptions: s3.clientConfig(), every: { ms: 1000 } })],
  ];
  const results = new Map<string, Awaited<ReturnType<typeof run>>[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, options] of variants) {
      const r = await run(label, options(round));
      results.set(label, [...(results.get(label) ?? []), r]);
    }
  }
  const base = median(results.get('no checkpoints')!.map((r) => r.rowsPerSecond));
  console.log(`| pipeline (${BATCHES} batches × ${ROWS} rows: groupby sum + window(n=10000) groupby mean), median of ${ROUNDS} | rows/s | share of no-checkpoint | checkpoints per run | checkpoint ms | bytes |`);
  console.log('|---|---|---|---|---|---|');
  for (const [label, rs] of results) {
    const rps = median(rs.map((r) => r.rowsPerSecond));
    const ms = rs.map((r) => r.lastMs).filter((x): x is number => x !== undefined);
    console.log(`| ${label} | ${(rps / 1e6).toFixed(2)}M | ${((100 * rps) / base).toFixed(1)}% | ${median(rs.map((r) => r.checkpoints))} | ${ms.length ? median(ms).toFixed(0) : '–'} | ${rs[0].lastBytes ?? '–'} |`);
  }
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
