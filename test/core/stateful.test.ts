import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStateful, nodeIds, Stream, VirtualClock } from '../../src/index.js';
import { runs } from '../fixtures/runs.js';

/** Every stateful node's snapshot by id, through JSON as a checkpoint would store it. */
function snapshotAll(graph: Stream<any>): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (const [node, id] of nodeIds(graph)) if (isStateful(node)) states[id] = node.snapshot();
  return JSON.parse(JSON.stringify(states)) as Record<string, unknown>;
}

function restoreAll(graph: Stream<any>, states: Record<string, unknown>): void {
  for (const [node, id] of nodeIds(graph)) if (isStateful(node) && id in states) node.restore(states[id]);
}

interface Built<T> {
  input: Stream<T>;
  out: unknown[];
  finish?: () => void;
}

/** Uninterrupted run vs. run to k, snapshot, restore into a fresh graph, run the rest: same output. */
function checkRoundTrip<T>(build: () => Built<T>, xs: T[], k: number): void {
  const full = build();
  xs.forEach((x) => full.input.emit(x));
  full.finish?.();

  const before = build();
  xs.slice(0, k).forEach((x) => before.input.emit(x));
  const states = snapshotAll(before.input);

  const after = build();
  restoreAll(after.input, states);
  xs.slice(k).forEach((x) => after.input.emit(x));
  after.finish?.();
  expect([...before.out, ...after.out]).toEqual(full.out);
}

const ints = fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 40 });
const withSplit = ints.chain((xs) => fc.tuple(fc.constant(xs), fc.integer({ min: 0, max: xs.length })));

const pipelines: Record<string, () => Built<number>> = {
  'joinAsof of even with odd': () => {
    const input = new Stream<number>();
    const joined = input
      .filter((x) => x % 2 === 0)
      .joinAsof(input.filter((x) => x % 2 !== 0), { key: (x) => Math.abs(x) % 3, on: (x) => x + 100, outOfOrder: 5, how: 'left' });
    return { input, out: joined.sinkToList(), finish: () => void joined.endOfInput() };
  },
  accumulate: () => {
    const input = new Stream<number>();
    return { input, out: input.accumulate((a, x) => a + x).sinkToList() };
  },
  'accumulate returnsState': () => {
    const input = new Stream<number>();
    const out = input.accumulate((s: number[], x: number) => [[...s, x].slice(-3), s.length] as const, { start: [] as number[], returnsState: true }).sinkToList();
    return { input, out };
  },
  slidingWindow: () => {
    const input = new Stream<number>();
    return { input, out: input.slidingWindow(4).sinkToList() };
  },
  'slidingWindow full only': () => {
    const input = new Stream<number>();
    return { input, out: input.slidingWindow(3, { returnPartial: false }).sinkToList() };
  },
  partition: () => {
    const input = new Stream<number>();
    return { input, out: input.partition(3).sinkToList() };
  },
  'partition by key': () => {
    const input = new Stream<number>();
    return { input, out: input.partition(2, { key: (x) => x % 3 }).sinkToList() };
  },
  partitionUnique: () => {
    const input = new Stream<number>();
    return { input, out: input.partitionUnique(3, { keep: 'last' }).sinkToList() };
  },
  unique: () => {
    const input = new Stream<number>();
    return { input, out: input.unique({ maxsize: 5 }).sinkToList() };
  },
  slice: () => {
    const input = new Stream<number>();
    return { input, out: input.slice(2, 30, 3).sinkToList() };
  },
  collect: () => {
    const input = new Stream<number>();
    const c = input.collect();
    return { input, out: c.sinkToList(), finish: () => void c.flush() };
  },
  frequencies: () => {
    const input = new Stream<number>();
    return { input, out: input.map((x) => x % 4).frequencies().map((m) => [...m]).sinkToList() };
  },
  'zip with a constant, and of a stream with itself': () => {
    const input = new Stream<number>();
    const out: unknown[] = [];
    input.zip('k', input).sink((t) => out.push(t));
    return { input, out };
  },
  'zip of two branches': () => {
    const input = new Stream<number>();
    const evens = input.filter((x) => x % 2 === 0);
    const odds = input.filter((x) => x % 2 !== 0);
    return { input, out: evens.zip(odds, { maxsize: 1000 }).sinkToList() };
  },
  'combineLatest and zipLatest': () => {
    const input = new Stream<number>();
    const pos = input.filter((x) => x > 0);
    const neg = input.filter((x) => x < 0);
    const out: unknown[] = [];
    pos.combineLatest(neg).sink((t) => out.push(['c', ...t]));
    pos.zipLatest(neg).sink((t) => out.push(['z', ...t]));
    return { input, out };
  },
  'fan-out of several stateful nodes': () => {
    const input = new Stream<number>();
    const out: unknown[] = [];
    const total = input.accumulate((a, x) => a + x, { start: 0 });
    total.slidingWindow(2).sink((w) => out.push(['w', ...w]));
    input.unique().partition(2).sink((p) => out.push(['p', ...p]));
    return { input, out };
  },
};

describe('Stateful round trip: snapshot mid-stream, restore into a fresh graph, same output', () => {
  for (const [name, build] of Object.entries(pipelines)) {
    it(name, () => {
      fc.assert(fc.property(withSplit, ([xs, k]) => checkRoundTrip(build, xs, k)), { numRuns: runs(60) });
    });
  }

  it('timed windows and partition timeouts keep their contents', async () => {
    const run = async (split: boolean) => {
      let clock = new VirtualClock();
      const build = () => {
        const input = new Stream<number>({ clock });
        const out: unknown[] = [];
        input.timedWindow(100).sink((w) => out.push(['t', ...w]));
        input.partition(5, { timeout: 150 }).sink((p) => out.push(['p', ...p]));
        input.timedWindowUnique(100, { key: (x) => x % 2 }).sink((w) => out.push(['u', ...w]));
        return { input, out };
      };
      let g = build();
      const outs: unknown[][] = [g.out];
      for (let i = 0; i < 10; i++) {
        g.input.emit(i);
        await clock.advance(30);
        if (split && i === 4) {
          const states = snapshotAll(g.input);
          for (const n of nodeIds(g.input).keys()) n.destroy();
          clock = new VirtualClock(clock.now());
          g = build();
          restoreAll(g.input, states);
          outs.push(g.out);
        }
      }
      await clock.advance(1000);
      return outs.flat();
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('buffer, delay, latest and mapAsync keep elements not yet passed on', async () => {
    const clock = new VirtualClock();
    const build = () => {
      const input = new Stream<number>({ clock });
      const out: unknown[] = [];
      const gate = { open: false, waiters: [] as (() => void)[] };
      const blocked = () => (gate.open ? undefined : new Promise<void>((r) => gate.waiters.push(r)));
      input.buffer(100).sink((x) => (out.push(['b', x]), blocked()));
      input.delay(50).sink((x) => out.push(['d', x]));
      input.mapAsync(async (x) => x * 2, { concurrency: 10 }).sink((x) => (out.push(['m', x]), blocked()));
      return { input, out, gate };
    };
    const a = build();
    for (let i = 0; i < 4; i++) a.input.emit(i);
    await clock.advance(10);
    const states = snapshotAll(a.input);
    expect(states['buffer-0']).toEqual({ items: [1, 2, 3] }); // 0 was passed on and is stuck downstream
    expect(states['delay-0']).toEqual({ items: [0, 1, 2, 3], waits: [40, 40, 40, 40] });
    expect((states['mapAsync-0'] as { inputs: number[] }).inputs).toEqual([1, 2, 3]);

    const b = build();
    b.gate.open = true;
    restoreAll(b.input, states);
    await clock.advance(100);
    await new Promise((r) => setImmediate(r));
    const sorted = (tag: string) => b.out.filter((e) => (e as unknown[])[0] === tag).map((e) => (e as number[])[1]);
    expect(sorted('b')).toEqual([1, 2, 3]);
    expect(sorted('d')).toEqual([0, 1, 2, 3]);
    expect(sorted('m')).toEqual([2, 4, 6]);
  });
});
