import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { PipelineChangedError, runJob, Stream, VirtualClock } from '../../src/index.js';
import { storeWithPut } from '../fixtures/store.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sf-job-'));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A small stateful job over 0..n-1; `stopAt` makes it stop itself after that element. */
function build(n: number, stopAt?: () => number | undefined) {
  const source = Stream.fromIterable(range(n)).name('numbers');
  const total = source.accumulate((a, x) => a + x, { start: 0 }).name('total');
  const windows = source.slidingWindow(3).name('window');
  const outputs: unknown[] = [];
  total.zip(windows).sink((t) => outputs.push(t));
  return { source, outputs, stopAt };
}

const quiet = { handleSignals: false } as const;

describe('runJob', () => {
  it('runs a fresh job to the end, with checkpoints every N elements and a final one', async () => {
    const dir = tmp();
    const g = build(100);
    const job = runJob(g.source, { name: 'numbers', ...quiet, checkpoint: { store: dir, every: { elements: 10 }, keep: 3 } });
    expect(await job.restored).toBeNull();
    await job.done;
    expect(g.outputs).toHaveLength(100);
    expect(g.outputs[99]).toEqual([4950, [97, 98, 99]]);
    const commits = readdirSync(join(dir, 'commits')).map((f) => Number(f.replace('.json', ''))).sort((a, b) => a - b);
    expect(commits).toHaveLength(3); // retention
    const meta = JSON.parse(readFileSync(join(dir, 'metadata', `${commits[2]}.json`), 'utf8'));
    expect(meta.sources).toEqual({ numbers: 100 });
    expect(Object.keys(meta.nodes).sort()).toEqual(['total', 'window', 'zip-0']);
    expect(job.lastCheckpoint?.checkpoint).toBe(commits[2]);
  });

  it('stopped midway and restarted, it produces exactly what an uninterrupted run does', async () => {
    const uninterrupted = build(200);
    await runJob(uninterrupted.source, { name: 'u', ...quiet }).done;

    const dir = tmp();
    const first = build(200);
    const job1 = runJob(first.source, { name: 'r', ...quiet, checkpoint: { store: dir, every: { elements: 7 } } });
    first.source.sink((x) => void (x === 123 && job1.stop()));
    await job1.done;
    expect(first.outputs.length).toBeLessThan(200);

    const second = build(200);
    const job2 = runJob(second.source, { name: 'r', ...quiet, checkpoint: { store: dir, every: { elements: 7 } } });
    expect(await job2.restored).toBeGreaterThan(0);
    await job2.done;
    expect([...first.outputs, ...second.outputs]).toEqual(uninterrupted.outputs);

    // A third run restores the final checkpoint and has nothing left to do.
    const third = build(200);
    const job3 = runJob(third.source, { name: 'r', ...quiet, checkpoint: { store: dir } });
    await job3.done;
    expect(third.outputs).toEqual([]);
  });

  it('takes a checkpoint on demand at a consistent cut', async () => {
    const dir = tmp();
    const source = Stream.fromIterable(range(1000));
    const seen: number[] = [];
    let requested: Promise<number> | undefined;
    source.accumulate((a, x) => a + x, { start: 0 }).name('sum').sink((x) => void seen.push(x));
    source.sink((x) => void (x === 500 && (requested = job.checkpoint())));
    const job = runJob(source, { name: 'demand', ...quiet, checkpoint: { store: dir } });
    await job.done;
    const n = await requested!;
    const meta = JSON.parse(readFileSync(join(dir, 'metadata', `${n}.json`), 'utf8'));
    const position = meta.sources['fromIterable-0'] as number;
    const state = JSON.parse(readFileSync(join(dir, 'data', String(n), 'sum.json'), 'utf8'));
    // the state is exactly the sum of the elements before the position, taken mid-stream
    expect(position).toBeGreaterThan(500);
    expect(position).toBeLessThan(1000);
    expect(state).toEqual({ hasState: true, state: (position * (position - 1)) / 2 });
  });

  it('checkpoints every N milliseconds on the job clock', async () => {
    const dir = tmp();
    const clock = new VirtualClock();
    const source = Stream.fromPeriodic(() => 1, 10, { clock });
    source.accumulate((a, x) => a + x, { start: 0 }).name('count');
    const job = runJob(source, { name: 'timed', ...quiet, checkpoint: { store: dir, every: { ms: 100 } } });
    await job.restored;
    for (let i = 1; i <= 5; i++) {
      await clock.advance(100);
      // the write itself is real file I/O: wait for it, however long the machine takes
      await vi.waitFor(() => expect(job.lastCheckpoint?.checkpoint).toBe(i), { timeout: 10_000, interval: 5 });
    }
    await job.stop();
    expect(readdirSync(join(dir, 'commits')).length).toBe(6); // five timed, one final
  });

  it.each([
    ['fromAsyncIterable', () => Stream.fromAsyncIterable((async function* () { yield 1; })())],
    ['filenames', () => Stream.filenames(tmp())],
    ['fromObservable', () => Stream.fromObservable(of(1))],
  ])('refuses to checkpoint a source that cannot seek: %s', (kind, make) => {
    const source = make();
    source.sink(() => {});
    expect(() => runJob(source, { name: 'x', ...quiet, checkpoint: { store: tmp() } })).toThrow(new RegExp(`\\(${kind}\\) cannot report and restore its position`));
  });

  it('a slow store never stalls a fast source: triggers are skipped while a checkpoint is written', async () => {
    const dir = tmp();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // No write finishes before the source has emitted its last element: a source that waited for one would never get there.
    const store = storeWithPut(dir, async (write, path) => (/^(data|metadata|commits)\//.test(path) && (await released), write()));
    const source = Stream.fromIterable(range(10_000)).name('n');
    source.accumulate((a, x) => a + x, { start: 0 }).name('total');
    source.sink((x) => void (x === 9_999 && release()));
    await runJob(source, { name: 'slow', ...quiet, checkpoint: { store, every: { elements: 100 } } }).done;
    // One written, one waiting, every trigger in between skipped, then the final one.
    const positions = readdirSync(join(dir, 'commits')).map((f) => JSON.parse(readFileSync(join(dir, 'metadata', f), 'utf8')).sources.n);
    expect(positions.sort((a, b) => a - b)).toEqual([100, 200, 10_000]);
  });

  it('rejects a job name or node id that would escape the store root', () => {
    const s = Stream.fromIterable([1]);
    expect(() => runJob(s, { name: '../evil', ...quiet, checkpoint: { store: tmp() } })).toThrow(/job name/);
    const t = Stream.fromIterable([1]);
    t.accumulate((a, x) => a + x).name('/etc/passwd');
    expect(() => runJob(t, { name: 'ok', ...quiet, checkpoint: { store: tmp() } })).toThrow(/node id/);
  });

  it('refuses a checkpoint from a different pipeline, listing what changed, unless allowed', async () => {
    const dir = tmp();
    const a = Stream.fromIterable(range(10)).name('n');
    a.slidingWindow(3).name('w').sink(() => {});
    await runJob(a, { name: 'p', ...quiet, checkpoint: { store: dir } }).done;

    const b = Stream.fromIterable(range(10)).name('n');
    b.slidingWindow(4).name('w').sink(() => {});
    const job = runJob(b, { name: 'p', ...quiet, checkpoint: { store: dir } });
    await expect(job.restored).rejects.toBeInstanceOf(PipelineChangedError);
    await expect(job.done).rejects.toThrow(/"w".*n.*3.*4/s);

    const c = Stream.fromIterable(range(10)).name('n');
    c.slidingWindow(4).name('w').sink(() => {});
    const allowed = runJob(c, { name: 'p', ...quiet, checkpoint: { store: dir, allowPipelineChange: true } });
    expect(await allowed.restored).toBeGreaterThan(0);
    await allowed.done;
  });

  it('falls back to the previous checkpoint when the newest is damaged, and refuses in strict mode', async () => {
    const dir = tmp();
    const g = build(30);
    await runJob(g.source, { name: 'd', ...quiet, checkpoint: { store: dir, every: { elements: 10 } } }).done;
    const newest = Math.max(...readdirSync(join(dir, 'commits')).map((f) => Number(f.replace('.json', ''))));
    writeFileSync(join(dir, 'data', String(newest), 'total.json'), '{"hasState": tru');

    const strict = runJob(build(30).source, { name: 'd', ...quiet, checkpoint: { store: dir, strict: true } });
    await expect(strict.restored).rejects.toThrow(new RegExp(`data/${newest}/total.json`));
    const lenient = runJob(build(30).source, { name: 'd', ...quiet, checkpoint: { store: dir } });
    expect(await lenient.restored).toBe(newest - 1);
    await lenient.done;
  });

  it('a failing node fails the job without a final checkpoint', async () => {
    const dir = tmp();
    const s = Stream.fromIterable(range(50));
    s.map((x) => {
      if (x === 30) throw new Error('bad element');
      return x;
    });
    const job = runJob(s, { name: 'f', ...quiet, checkpoint: { store: dir, every: { elements: 7 } } });
    await expect(job.done).rejects.toThrow(/bad element/);
    // Triggered checkpoints sit at multiples of 7 (some may be coalesced away); a final one would be at 30.
    const positions = readdirSync(join(dir, 'commits')).map((f) => JSON.parse(readFileSync(join(dir, 'metadata', f), 'utf8')).sources['fromIterable-0']);
    expect(positions.length).toBeGreaterThan(0);
    for (const p of positions) expect(p % 7, `checkpoint at position ${p}`).toBe(0);
  });
});

describe('runJob stopped early', () => {
  it('a job stopped as soon as it restored finishes without reading on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-job-'));
    // A source that would run forever: only the stop, given before the sources start, can end this job.
    const periodic = Stream.fromPeriodic(() => 1, 5);
    periodic.accumulate((a, x) => a + x, { start: 0 }).name('count');
    const job = runJob(periodic, { name: 'early-stop', ...quiet, checkpoint: { store: join(dir, 'p') } });
    await job.restored;
    await job.stop();
    expect(job.lastCheckpoint?.checkpoint).toBe(1); // the final checkpoint
  });
});
