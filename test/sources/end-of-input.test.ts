import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, Stream, VirtualClock } from '../../src/index.js';

const root = new URL('../..', import.meta.url).pathname;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const tmp = () => mkdtempSync(join(tmpdir(), 'sf-end-'));

describe('end of bounded input: holding nodes flush before start() resolves', () => {
  it("the README's fromTextFile example, verbatim, delivers all 250 lines of a 250-line file", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /Sources produce elements by themselves once started:\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toContain('partition(100)');
    const dir = tmp();
    writeFileSync(join(dir, 'events.jsonl'), range(250).map((i) => JSON.stringify({ kind: `k${i % 7}`, i }) + '\n').join(''));
    // Beside the package, so `import 'streamframe'` resolves to the built output; run in the data's directory.
    const script = join(root, 'test', '.readme-start.mjs');
    writeFileSync(script, `import { Stream } from 'streamframe';\n${block}console.log(JSON.stringify(counts.map((c) => c.length)));\n`);
    const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([100, 100, 50]);
  }, 120_000); // a child process importing the package: seconds on a loaded machine

  it('event-time and count windows emit their open windows at the end of the input', async () => {
    const src = Stream.fromIterable(range(25).map((i) => ({ ts: i * 100, v: i })));
    const tumbling = src.tumblingWindow(1000, { on: 'ts' }).sinkToList();
    const counted = src.tumblingCountWindow(10).sinkToList();
    await src.start();
    // Without the flush the watermark (2400) never passes the last window's end (3000).
    expect(tumbling.map((w) => [w.start, w.items.length])).toEqual([[0, 10], [1000, 10], [2000, 5]]);
    expect(counted.map((w) => w.items.length)).toEqual([10, 10, 5]);
  });

  it('partition (plain and keyed), partitionUnique, collect and a timed window emit what they hold', async () => {
    const clock = new VirtualClock();
    const src = Stream.fromIterable(range(25), { clock });
    const parts = src.partition(10).sinkToList();
    const keyed = src.partition(4, { key: (x) => x % 3 }).sinkToList();
    const uniq = src.map((x) => x % 6).partitionUnique(4).sinkToList();
    const collected = src.collect().sinkToList();
    const timed = src.timedWindow(1000).sinkToList();
    await src.start();
    expect(parts).toEqual([range(10), range(10).map((x) => x + 10), [20, 21, 22, 23, 24]]);
    expect(keyed.flat().sort((a, b) => a - b)).toEqual(range(25));
    expect(keyed.filter((g) => g.length < 4)).toEqual([[24]]); // key 0 holds 9 elements: 4 + 4 + the partial 1
    expect(uniq.flat().length).toBeGreaterThan(0);
    expect(new Set(uniq[uniq.length - 1]).size).toBe(uniq[uniq.length - 1].length);
    expect(collected).toEqual([range(25)]);
    expect(timed).toEqual([range(25)]); // the window was still open when the input ended (no time passed)
  });

  it('a chain of holding nodes flushes top-down: the last partial group reaches the collect below', async () => {
    const src = Stream.fromIterable(range(7));
    const out = src.partition(3).partition(2).collect().sinkToList();
    await src.start();
    expect(out).toEqual([[[[0, 1, 2], [3, 4, 5]], [[6]]]]);
  });

  it('a stopped source does not flush: its job keeps the held elements in the final checkpoint, and the restart delivers them', async () => {
    const store = join(tmp(), 'cp');
    const build = () => {
      const src = Stream.fromIterable(range(95)).name('n');
      const groups = src.partition(10).name('p').sinkToList();
      return { src, groups };
    };
    const first = build();
    first.src.map((x) => x).sink((x) => (x === 42 ? void first.src.stop() : undefined));
    const job = runJob(first.src, { name: 'eoi', handleSignals: false, checkpoint: { store } });
    await job.done;
    expect(first.groups.flat().length).toBeLessThan(43); // not flushed: 40..42 wait in the checkpoint
    const second = build();
    second.src.map((x) => x).sink(() => {});
    await runJob(second.src, { name: 'eoi', handleSignals: false, checkpoint: { store } }).done;
    expect([...first.groups, ...second.groups].flat()).toEqual(range(95));
    const last = JSON.parse(readFileSync(join(store, 'data', String(job.lastCheckpoint!.checkpoint + 1), 'p.json'), 'utf8'));
    expect(last.groups).toEqual([]); // the final checkpoint comes after the flush
  });

  it('a node fed by a source that is still running does not flush when another source ends', async () => {
    const done = Stream.fromIterable([1, 2, 3]);
    const manual = new Stream<number>();
    const both = done.union(manual).partition(10).sinkToList();
    const own = done.partition(10).sinkToList();
    await done.start();
    expect(own).toEqual([[1, 2, 3]]);
    expect(both).toEqual([]); // the hand-fed stream may still emit
  });
});
