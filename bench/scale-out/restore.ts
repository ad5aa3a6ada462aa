/**
 * One task's checkpoint and restore without Kafka, the CPU part of a rebalance pause: the state
 * of bench/scale-out's pause (an accumulate's per-key sums, `keys` keys) encoded as at a cut,
 * written to a directory under a writer lease, then taken over by a second writer and loaded as
 * a task's new owner does (acquireWriter, then loadCheckpoint: list, verify sizes and sha256,
 * parse, decode). CPU time of this process (process.cpuUsage), best of `passes`.
 * Usage: npx tsx bench/scale-out/restore.ts [keys=100000] [passes=9]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireWriter, EncodedState, encodeStateBytes, FsCheckpointStore, loadCheckpoint, writeCheckpoint } from '../../src/checkpoint/index.js';

const keys = Number(process.argv[2] ?? 100_000);
const passes = Number(process.argv[3] ?? 9);
const sums: Record<string, number> = {};
for (let i = 0; i < keys; i++) sums[`k${i * 4 + 1}`] = ((i * 7919) % 1000) * 3;
const pipeline = { description: { nodes: [{ id: 'sums', kind: 'accumulate', params: {} }], edges: [] } };

async function cpu<T>(f: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = process.cpuUsage();
  const result = await f();
  const { user, system } = process.cpuUsage(start);
  return { ms: (user + system) / 1000, result };
}

const dir = mkdtempSync(join(tmpdir(), 'sf-restore-bench-'));
const best = { encode: Infinity, write: Infinity, takeover: Infinity, load: Infinity };
let bytes = 0;
try {
  for (let i = 0; i < passes; i++) {
    const store = new FsCheckpointStore(join(dir, String(i)));
    const encoded = await cpu(() => new EncodedState(encodeStateBytes(sums)));
    bytes = encoded.result.bytes.byteLength;
    const owner = await acquireWriter(store);
    const written = await cpu(() => writeCheckpoint(store, { job: 'bench', sources: {}, nodes: { sums: { kind: 'accumulate', state: encoded.result } }, pipeline }, { lease: owner }));
    await owner.release();
    const lease = await cpu(() => acquireWriter(store));
    const loaded = await cpu(() => loadCheckpoint(store, { strict: true, pipeline }));
    await lease.result.release();
    if (Object.keys(loaded.result!.states.sums as object).length !== keys) throw new Error('restored the wrong state');
    best.encode = Math.min(best.encode, encoded.ms);
    best.write = Math.min(best.write, written.ms);
    best.takeover = Math.min(best.takeover, lease.ms);
    best.load = Math.min(best.load, loaded.ms);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const f = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(
  `${keys} keys (${(bytes / 1e6).toFixed(2)} MB), CPU best of ${passes}: encode at the cut ${f(best.encode)}, write ${f(best.write)}, ` +
    `lease takeover ${f(best.takeover)}, load + decode ${f(best.load)}`,
);
