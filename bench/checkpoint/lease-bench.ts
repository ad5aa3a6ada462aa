/**
 * What one writer per store costs a checkpoint: a small checkpoint (one JSON state) written and
 * pruned (keep 10) 100 times, with and without a writer lease, on the filesystem and on S3
 * (s3rver on loopback). The lease adds a list of `writers/` before numbering and before the commit
 * marker, and retention reads the commit markers it did not inherit to tell whose they are.
 * Usage: npx tsx bench/checkpoint/lease-bench.ts [checkpoints]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireWriter, FsCheckpointStore, openStore, pruneCheckpoints, writeCheckpoint, type CheckpointStore } from '../../src/index.js';
import { startS3 } from '../../test/fixtures/s3.js';

const N = Number(process.argv[2] ?? 100);
const input = (i: number) => ({
  job: 'bench',
  sources: { s: { index: i } },
  nodes: { total: { kind: 'accumulate', state: { hasState: true, state: i } } },
  pipeline: { description: { nodes: [{ id: 'total', kind: 'accumulate', params: {} }], edges: [] } },
});

async function run(store: CheckpointStore, leased: boolean): Promise<number> {
  const lease = leased ? await acquireWriter(store) : undefined;
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    await writeCheckpoint(store, input(i), { lease });
    await pruneCheckpoints(store, 10);
  }
  const ms = (performance.now() - started) / N;
  await lease?.release();
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'sf-lease-bench-'));
const s3 = await startS3();
try {
  console.log('| store | without lease ms/checkpoint | with lease ms/checkpoint | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const [label, make] of [
    ['filesystem', (k: string) => new FsCheckpointStore(join(dir, k))],
    ['S3 (s3rver)', (k: string) => openStore(`s3://${s3.bucket}/${k}`, s3.clientConfig())],
  ] as const) {
    await run(make('warm-up'), true);
    const plain = await run(make('plain'), false);
    const leased = await run(make('leased'), true);
    console.log(`| ${label} | ${plain.toFixed(2)} | ${leased.toFixed(2)} | ${(leased / plain).toFixed(2)}× |`);
  }
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
