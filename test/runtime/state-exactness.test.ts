import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, loadCheckpoint, openStore, runJob, setLogger, Stream } from '../../src/index.js';
import { tempDir } from '../checkpoint/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  setLogger(jsonLogger());
  for (const c of cleanups.splice(0)) await c();
});
async function storeDir(): Promise<string> {
  const t = await tempDir('sf-exact-');
  cleanups.push(t.cleanup);
  return t.dir;
}
function captureLogs(): string[] {
  const lines: string[] = [];
  setLogger({ log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) });
  return lines;
}

/** Run `values` through an accumulate that keeps the last one, stop after `stopAt` of them; the state restored by a second run. */
async function restoredState(values: unknown[], stopAt: number): Promise<unknown> {
  const store = await storeDir();
  const build = () => {
    const source = Stream.fromIterable(values.map((_, i) => i)).name('i');
    let last: unknown;
    source.accumulate((_s: unknown, i: number) => values[i], { start: null as unknown }).name('last').sink((v) => void (last = v));
    return { source, last: () => last };
  };
  const first = build();
  const job = runJob(first.source, { name: 'exact', handleSignals: false, checkpoint: { store } });
  first.source.sink((i) => void (i === stopAt && job.stop()));
  await job.done;
  const loaded = await loadCheckpoint(openStore(store));
  return (loaded!.states.last as { state: unknown }).state;
}

describe('state exactness through runJob', () => {
  it('Infinity, NaN, -0, Date, BigInt, Map and Set states come back as themselves', async () => {
    const when = new Date(Date.UTC(2026, 0, 2));
    for (const v of [Infinity, -Infinity, NaN, -0, when, 2n ** 70n, new Map([['a', 1]]), new Set([1, 2]), [1, undefined, 3]]) {
      const got = await restoredState([0, v, 1], 1);
      if (typeof v === 'number' || typeof v === 'bigint') expect(Object.is(got, v)).toBe(true);
      else expect(got).toStrictEqual(v);
    }
  });

  it('a BigInt state is checkpointed (it used to fail without naming the node)', async () => {
    expect(await restoredState([1n, 2n], 1)).toBe(2n);
  });

  it('the commit marker records the pipeline as it was when fingerprinted, not live state mutated in place', async () => {
    const store = await storeDir();
    const source = Stream.fromIterable(Array.from({ length: 2000 }, (_, i) => i)).name('i');
    source.accumulate((acc: number[], x: number) => (acc.push(x), acc), { start: [] as number[] }).name('all');
    await runJob(source, { name: 'mutating', handleSignals: false, checkpoint: { store } }).done;
    const loaded = (await loadCheckpoint(openStore(store)))!;
    const node = (loaded.pipeline as { nodes: { id: string; params: { start: unknown } }[] }).nodes.find((n) => n.id === 'all')!;
    expect(node.params.start).toEqual([]);
    const marker = (await openStore(store).get(`commits/${loaded.checkpoint}.json`))!;
    expect(marker.byteLength).toBeLessThan(4000);
  });

  it('a state of another kind under the same id is not restored: warned, the node starts fresh', async () => {
    const store = await storeDir();
    const one = Stream.fromIterable([1, 2, 3, 4]).name('i');
    one.slidingWindow(2).name('x');
    await runJob(one, { name: 'kinds', handleSignals: false, checkpoint: { store } }).done;

    const logs = captureLogs();
    const two = Stream.fromIterable([1, 2, 3, 4, 5, 6]).name('i');
    const out: unknown[] = [];
    two.accumulate((a: string, x: number) => a + String(x), { start: '' }).name('x').sink((v) => out.push(v));
    const job = runJob(two, { name: 'kinds', handleSignals: false, checkpoint: { store, allowPipelineChange: true } });
    expect(await job.restored).not.toBeNull();
    await job.done;
    expect(out).toEqual(['5', '56']); // fresh, not "[object Object]5"
    expect(logs.some((l) => l.includes('node \\"x\\" is a slidingWindow state, but the node is now a accumulate: starting it fresh'))).toBe(true);
  });

  it('node ids __proto__ and constructor are plain ids: checkpointed, restored, and never handed bogus state', async () => {
    const store = await storeDir();
    const build = (n: number, named: string[]) => {
      const source = Stream.fromIterable(Array.from({ length: n }, (_, i) => i)).name('i');
      const outs = named.map((name) => {
        let last: unknown;
        source.accumulate((a: number, x: number) => a + x, { start: 0 }).name(name).sink((v) => void (last = v));
        return () => last;
      });
      return { source, outs };
    };
    const first = build(10, ['__proto__']);
    await runJob(first.source, { name: 'protos', handleSignals: false, checkpoint: { store } }).done;
    expect((await loadCheckpoint(openStore(store)))!.states).toHaveProperty(['__proto__'], { hasState: true, state: 45 });

    const second = build(12, ['__proto__', 'constructor']);
    const job = runJob(second.source, { name: 'protos', handleSignals: false, checkpoint: { store, allowPipelineChange: true } });
    await job.done;
    expect(second.outs.map((o) => o())).toEqual([45 + 10 + 11, 10 + 11]);
  });

  it('ids a store cannot hold, or that collide as paths, are refused when the job starts', async () => {
    const store = await storeDir();
    const long = Stream.fromIterable([1]).name('i');
    long.accumulate((a: number, x: number) => a + x).name('n'.repeat(300));
    expect(() => runJob(long, { name: 'ids', checkpoint: { store } })).toThrow(/node id "n{300}": has a segment of 300 bytes; at most 200/);
    const clash = Stream.fromIterable([1]).name('i');
    clash.accumulate((a: number, x: number) => a + x).name('a');
    clash.accumulate((a: number, x: number) => a + x).name('a.json/b');
    expect(() => runJob(clash, { name: 'ids', checkpoint: { store } })).toThrow(/node id "a\.json\/b": collides with node id "a"/);
  });
});
