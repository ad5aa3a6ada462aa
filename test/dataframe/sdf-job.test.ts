// An SDF pipeline under runJob with a filesystem checkpoint store: stopped midway and restarted,
// it ends with exactly the results of an uninterrupted run; its states are Parquet files.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFrame, Random, Rng, Stream, VirtualClock, runJob, type Job } from '../../src/index.js';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
function batches(n: number) {
  const rng = new Rng(3);
  let t = Date.UTC(2024, 0, 1);
  return Array.from({ length: n }, () => {
    const rows = 1 + (rng.nextU32() % 40);
    return Array.from({ length: rows }, () => ({ k: KEYS[rng.nextU32() % KEYS.length], v: rng.random() < 0.1 ? null : rng.normal(), ts: (t += rng.nextU32() % 300) }));
  });
}

function build(data: ReturnType<typeof batches>) {
  const source = Stream.fromIterable(data).name('batches');
  const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64', ts: 'timestamp' }, name: 'ingest' });
  const v = sdf.col('v');
  const out = { totals: [] as unknown[], window: [] as unknown[], rolling: [] as unknown[], ewm: [] as unknown[] };
  sdf.groupby('k').agg({ v: ['sum', 'mean', 'std', 'max', 'nunique'] }, { name: 'totals' }).stream.sink((f) => void out.totals.push(f.toRows()));
  sdf.window({ value: '5s', on: 'ts' }).groupby('k').col('v').mean({ name: 'window' }).stream.sink((f) => void out.window.push(f.toRows()));
  v.rolling(25).mean({ name: 'rolling' }).stream.sink((f) => void out.rolling.push(...f.toRows()));
  v.ewm({ halflife: 10 }).mean({ name: 'ewm' }).stream.sink((f) => void out.ewm.push(...f.toRows()));
  return { source, out };
}

const quiet = { handleSignals: false } as const;

describe('SDF pipeline under runJob', () => {
  it('stopped midway and restarted from the filesystem checkpoint, it equals an uninterrupted run', async () => {
    const data = batches(120);
    const whole = build(data);
    await runJob(whole.source, { name: 'sdf', ...quiet }).done;

    const dir = mkdtempSync(join(tmpdir(), 'sf-sdf-job-'));
    const first = build(data);
    const job1 = runJob(first.source, { name: 'sdf', ...quiet, checkpoint: { store: dir, every: { elements: 9 } } });
    let seen = 0;
    first.source.sink(() => void (++seen === 57 && job1.stop()));
    await job1.done;
    expect(first.out.totals.length).toBe(57);
    const files = readdirSync(join(dir, 'data', readdirSync(join(dir, 'data')).sort((a, b) => Number(b) - Number(a))[0]));
    expect(files.sort()).toEqual(['ewm.parquet', 'rolling.parquet', 'totals.parquet', 'window.parquet']);

    const second = build(data);
    const job2 = runJob(second.source, { name: 'sdf', ...quiet, checkpoint: { store: dir, every: { elements: 9 } } });
    expect(await job2.restored).toBeGreaterThan(0);
    await job2.done;
    for (const key of Object.keys(whole.out) as (keyof typeof whole.out)[]) {
      expect([...first.out[key], ...second.out[key]]).toEqual(whole.out[key]);
    }
  });
});

describe('Random under runJob', () => {
  /** Drive a virtual clock until the job finishes (the source waits on it between batches). */
  async function drive(job: Job, clock: VirtualClock): Promise<void> {
    let done = false;
    job.done.finally(() => (done = true)).catch(() => {});
    while (!done) await clock.advance(100);
    await job.done;
  }
  function build(clock: VirtualClock) {
    const source = new Random({ seed: 5, clock, start: 0, batches: 12, name: 'random' });
    const sdf = new DataFrame(source, { example: { timestamp: 'timestamp', x: 'float64', y: 'int32', z: 'float64' } });
    const out: unknown[] = [];
    sdf.window({ value: '2s', on: 'timestamp' }).agg({ x: ['sum', 'max'], y: 'mean' }, { name: 'win' }).stream.sink((f) => void out.push(f.toRows()));
    return { source, out };
  }

  it('checkpoints its position and restarts deterministically', async () => {
    const clockA = new VirtualClock();
    const whole = build(clockA);
    await drive(runJob(whole.source, { name: 'rnd', ...quiet }), clockA);
    expect(whole.out).toHaveLength(12);

    const dir = mkdtempSync(join(tmpdir(), 'sf-sdf-random-'));
    const clockB = new VirtualClock();
    const first = build(clockB);
    const job1 = runJob(first.source, { name: 'rnd', ...quiet, checkpoint: { store: dir, every: { elements: 2 } } });
    let n = 0;
    first.source.sink(() => void (++n === 5 && job1.stop()));
    await drive(job1, clockB);
    expect(first.out).toHaveLength(5);

    const clockC = new VirtualClock(123_456); // a later process: another clock time
    const second = build(clockC);
    const job2 = runJob(second.source, { name: 'rnd', ...quiet, checkpoint: { store: dir } });
    await drive(job2, clockC);
    expect([...first.out, ...second.out]).toEqual(whole.out);
  });
});
