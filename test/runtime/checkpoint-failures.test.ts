import { afterEach, describe, expect, it } from 'vitest';
import { FsCheckpointStore, runJob, Stream, type CheckpointStore } from '../../src/index.js';
import { captureLogs, restoreLogs } from '../fixtures/logs.js';
import { failingStore, tempDir } from '../checkpoint/helpers.js';
import { until } from '../fixtures/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  restoreLogs();
  for (const c of cleanups.splice(0)) await c();
});
async function fsStore(): Promise<FsCheckpointStore> {
  const t = await tempDir('sf-fail-');
  cleanups.push(t.cleanup);
  return new FsCheckpointStore(t.dir);
}
function graph(n: number) {
  const source = Stream.fromIterable(Array.from({ length: n }, (_, i) => i)).name('numbers');
  source.accumulate((a: number, x: number) => a + x, { start: 0 }).name('total');
  return source;
}

describe('failed checkpoints fail the job', () => {
  for (const tolerable of [0, 2]) {
    it(`after ${tolerable} tolerable failure(s) in a row, with the last error naming checkpoint, node and file; each failure logged once`, async () => {
      const logs = captureLogs();
      const inner = await fsStore();
      let puts = 0;
      const store = failingStore(inner, (path) => path.startsWith('data/') && ++puts > 1); // the first checkpoint commits
      // An endless source: the job can only end by failing.
      const ticks = Stream.fromPeriodic(() => 1, 2).name('ticks');
      ticks.accumulate((a: number, x: number) => a + x, { start: 0 }).name('total');
      const job = runJob(ticks, { name: 'failing', handleSignals: false, checkpoint: { store, every: { elements: 5 }, tolerableFailures: tolerable } });
      const error = (await job.done.catch((e: unknown) => e)) as Error & { checkpoint: number; nodeId: string; file: string };
      expect(error.name).toBe('CheckpointWriteError');
      expect(error.message).toMatch(/^Checkpoint (\d+) in file:.*: writing the state of node "total" \(data\/\1\/total\.json\) failed: .*injected failure/);
      expect(error).toMatchObject({ nodeId: 'total', file: `data/${error.checkpoint}/total.json` });
      const failures = logs.filter((l) => l.message === 'checkpoint failed');
      expect(failures).toHaveLength(tolerable + 1);
      expect(failures.map((l) => l.failedInARow)).toEqual(Array.from({ length: tolerable + 1 }, (_, i) => i + 1));
      expect(failures.at(-1)).toMatchObject({ nodeId: 'total', checkpoint: error.checkpoint, file: error.file });
      expect((await inner.list('commits/')).length).toBe(1);
    });
  }

  it('a success resets the count: failing every other checkpoint with 1 tolerable, the job finishes', async () => {
    captureLogs();
    const inner = await fsStore();
    let metadata = 0;
    const store = failingStore(inner, (path) => path.startsWith('metadata/') && ++metadata % 2 === 0);
    const job = runJob(graph(2000), { name: 'alternating', handleSignals: false, checkpoint: { store, every: { elements: 100 }, tolerableFailures: 1 } });
    await job.done;
    expect(metadata).toBeGreaterThan(2);
  });
});

/** A store whose data puts wait until released (a write that does not finish). */
function hangingStore(inner: CheckpointStore) {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let hung = 0;
  const store: CheckpointStore = {
    url: inner.url,
    async put(path, data) {
      if (path.startsWith('data/')) {
        hung++;
        await gate;
      }
      await inner.put(path, data);
    },
    get: (p) => inner.get(p),
    list: (p) => inner.list(p),
    delete: (p) => inner.delete(p),
  };
  return { store, release, hung: () => hung };
}

describe('a checkpoint write that never finishes', () => {
  it('times out, fails the job, and — released later — stores nothing more', async () => {
    captureLogs();
    const inner = await fsStore();
    const h = hangingStore(inner);
    const job = runJob(graph(10), { name: 'hanging', handleSignals: false, checkpoint: { store: h.store, writeTimeoutMs: 200 } });
    await expect(job.done).rejects.toThrow(/checkpoint write to file:.* did not finish within 200 ms/);
    h.release();
    await until(async () => (await inner.list('data/')).length > 0, 'the released put'); // the put under way lands...
    await job.stop().catch(() => {}); // (a stop always ends the job)
    const after = await inner.list('');
    expect(after.filter((p) => p.startsWith('commits/') || p.startsWith('metadata/'))).toEqual([]); // ...and nothing after it
  });

  it('stop() ends a job whose store hangs (the final checkpoint times out)', async () => {
    captureLogs();
    const inner = await fsStore();
    const h = hangingStore(inner);
    const source = Stream.fromPeriodic(() => 1, 5).name('ticks');
    source.accumulate((a: number, x: number) => a + x, { start: 0 }).name('total');
    const job = runJob(source, { name: 'stuck', handleSignals: false, checkpoint: { store: h.store, writeTimeoutMs: 300 } });
    await job.restored;
    await expect(job.stop()).rejects.toThrow(/did not finish within 300 ms/);
    expect(h.hung()).toBe(1);
    h.release();
    await until(async () => (await inner.list('data/')).length > 0, 'the released put'); // the abandoned put lands; then clean up
  });

  it('a store under /proc fails the job with an error instead of spinning', async () => {
    captureLogs();
    const job = runJob(graph(10), { name: 'proc', handleSignals: false, checkpoint: { store: '/proc/self/sf-checkpoints' } });
    await expect(job.done).rejects.toThrow(/file:\/\/\/proc\/self\/sf-checkpoints\/? failed: .*(ENOENT|No such file or directory)/);
  });
});
