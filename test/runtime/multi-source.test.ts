import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const quiet = { handleSignals: false } as const;

/**
 * Two sources into zip and union. `b` emits two elements per pair (zip takes its even ones), so `a`
 * runs ahead and zip holds it back until `b` catches up.
 */
function build(n: number) {
  const a = Stream.fromIterable(range(n)).name('a');
  const b = Stream.fromIterable(range(2 * n)).name('b');
  const zip = a.zip(b.filter((x) => x % 2 === 0)).name('zip');
  const pairs = zip.accumulate((k: number) => k + 1, { start: 0 }).name('pairs');
  const union = a.union(b).accumulate((s: number, x: number) => s + x * x, { start: 0 }).name('squares');
  const outputs: unknown[] = [];
  zip.sink((p) => void outputs.push(p));
  return { a, b, pairs, union, outputs };
}

const read = (dir: string, path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

describe('runJob with two sources: consistent cuts', () => {
  it('a checkpoint requested while zip holds one source back for the other is taken, not deadlocked, at a consistent cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-multi-'));
    const g = build(2000);
    const job = runJob([g.a, g.b], { name: 'zip', ...quiet, checkpoint: { store: dir, keep: 100 } });
    // Requested while `a` emits an element that zip will hold back: `b` must go on to release it.
    const requested: Promise<number>[] = [];
    g.a.sink((x) => void (x % 97 === 50 && requested.push(job.checkpoint())));
    await job.done;
    expect(await Promise.all(requested)).toHaveLength(21);
    expect(g.outputs).toEqual(range(2000).map((i) => [i, 2 * i]));
    for (const n of await Promise.all(requested)) {
      const { sources } = read(dir, `metadata/${n}.json`);
      const { buffers } = read(dir, `data/${n}/zip.json`);
      const { state: pairs } = read(dir, `data/${n}/pairs.json`);
      // Every element before each position is in exactly one place: paired, or waiting in zip.
      expect(buffers[0].length, `checkpoint ${n}: zip holds a back`).toBeGreaterThan(0);
      expect([sources.a, Math.ceil(sources.b / 2)], `checkpoint ${n}`).toEqual([pairs + buffers[0].length, pairs + buffers[1].length]);
      expect(buffers[0]).toEqual(range(buffers[0].length).map((i) => pairs + i));
    }
  });

  it('stopped midway and restarted, it produces exactly what an uninterrupted run does', async () => {
    const uninterrupted = build(1000);
    await runJob([uninterrupted.a, uninterrupted.b], { name: 'u', ...quiet }).done;

    const dir = mkdtempSync(join(tmpdir(), 'sf-multi-'));
    const first = build(1000);
    const job1 = runJob([first.a, first.b], { name: 'r', ...quiet, checkpoint: { store: dir, every: { elements: 37 } } });
    first.pairs.sink((k) => void (k === 517 && job1.stop()));
    await job1.done;
    const second = build(1000);
    const job2 = runJob([second.a, second.b], { name: 'r', ...quiet, checkpoint: { store: dir, every: { elements: 37 } } });
    expect(await job2.restored).toBeGreaterThan(0);
    await job2.done;
    expect([...first.outputs, ...second.outputs]).toEqual(uninterrupted.outputs);
    expect((second.union as unknown as { snapshot(): unknown }).snapshot()).toEqual((uninterrupted.union as unknown as { snapshot(): unknown }).snapshot());
  });
});
