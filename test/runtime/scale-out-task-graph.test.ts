// A partitioned job's per-task copies of a graph: each copy of every stateful node kind behaves
// like a freshly built node of its own (no container shared with the template or another copy),
// while sinks' outputs stay shared.
import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataFrame, isStateful, Stream, VirtualClock, walk, type Stateful } from '../../src/index.js';
import { downstreamOf, TaskGraph } from '../../src/runtime/task-graph.js';
import { tick } from '../fixtures/wait.js';

type Build = (src: Stream<number>, clock: VirtualClock) => void;

const builders: Record<string, Build> = {
  accumulate: (s) => void s.accumulate((acc: Record<string, number>, x: number) => ((acc[x % 3] = (acc[x % 3] ?? 0) + x), acc), { start: {} }),
  unique: (s) => void s.unique({ maxsize: 4 }),
  slidingWindow: (s) => void s.slidingWindow(3),
  partition: (s) => void s.partition(4),
  partitionByKey: (s) => void s.partition(3, { key: (x: number) => x % 2 }),
  timedWindow: (s) => void s.timedWindow(100),
  timedWindowUnique: (s) => void s.timedWindowUnique(100, { key: (x: number) => x % 2 }),
  zip: (s) => void s.zip(s.map((x) => x * 10)),
  combineLatest: (s) => void s.combineLatest(s.map((x) => -x)),
  collect: (s) => void s.collect(),
  buffer: (s) => void s.buffer(5).map((x) => x),
  mapAsync: (s) => void s.mapAsync(async (x: number) => x + 1, { concurrency: 2 }),
  delay: (s) => void s.delay(50),
  sdfGroupbySum: (s) => {
    const sdf = new DataFrame(s.map((x) => ({ k: [`k${x % 5}`], v: [x] })), { example: { k: 'utf8', v: 'float64' } });
    sdf.groupby('k').col('v').sum();
  },
  sdfWindowMean: (s) => {
    const sdf = new DataFrame(s.map((x) => ({ k: [`k${x % 5}`], v: [x] })), { example: { k: 'utf8', v: 'float64' } });
    sdf.window({ n: 4 }).groupby('k').col('v').mean();
  },
};

/** Every stateful node's snapshot, in walk order, as comparable JSON. */
function states(start: Stream<any>): unknown[] {
  return walk(start)
    .filter(isStateful)
    .map((n) => {
      const s = (n as unknown as Stateful).snapshot();
      return s instanceof Table ? s.toArray().map((r) => r.toJSON()) : JSON.parse(JSON.stringify(s));
    });
}

/** Feed `xs` to two graphs side by side on one clock, so a copy and its reference see the same times. */
async function feed(targets: ((x: number) => unknown)[], xs: number[], clock: VirtualClock): Promise<void> {
  for (const x of xs) {
    for (const t of targets) await t(x);
    clock.advance(30);
    for (let i = 0; i < 5; i++) await tick(); // the timers that fired run their work
  }
}

describe('partitioned: a task copy of the graph', () => {
  const a = [1, 2, 3, 4, 5, 6, 7];
  const b = [10, 20, 11, 21, 12];

  for (const [kind, build] of Object.entries(builders)) {
    it(`${kind}: two copies hold the states of two separate fresh graphs; the template stays fresh`, async () => {
      const clock = new VirtualClock();
      const template = new Stream<number>({ clock });
      build(template, clock);
      const fresh = states(template);
      const ids = new Map(walk(template).map((n, i) => [n, String(i)]));
      const one = new TaskGraph(template, downstreamOf(template), ids);
      const two = new TaskGraph(template, downstreamOf(template), ids);
      const refA = new Stream<number>({ clock });
      build(refA, clock);
      const refB = new Stream<number>({ clock });
      build(refB, clock);
      await feed([(x) => one.emit(x, undefined), (x) => refA.emit(x)], a, clock);
      await feed([(x) => two.emit(x, undefined), (x) => refB.emit(x)], b, clock);

      expect(states(one.inlet)).toEqual(states(refA));
      expect(states(two.inlet)).toEqual(states(refB));
      expect(states(template)).toEqual(fresh);
    });
  }

  it('restoring one copy leaves the other alone; a sink list is shared by all copies', () => {
    const template = new Stream<number>();
    const totals = template.accumulate((t: number, x: number) => t + x, { start: 0 });
    const out = totals.sinkToList();
    const ids = new Map(walk(template).map((n, i) => [n, String(i)]));
    const one = new TaskGraph(template, downstreamOf(template), ids);
    const two = new TaskGraph(template, downstreamOf(template), ids);
    one.stateful[0].node.restore({ hasState: true, state: 100 });
    one.emit(1, undefined);
    two.emit(2, undefined);
    expect(out).toEqual([101, 2]);
    expect(one.stateful[0].id).toBe(ids.get(totals));
  });

  it('refuses a stateful node that holds a resource it cannot copy, when the job is built', async () => {
    const { EventEmitter } = await import('node:events');
    const template = new Stream<number>();
    const node = template.accumulate((t: number, x: number) => t + x, { start: 0 });
    (node as unknown as { resource: unknown }).resource = new EventEmitter();
    const ids = new Map(walk(template).map((n, i) => [n, String(i)]));
    expect(() => new TaskGraph(template, downstreamOf(template), ids)).toThrow(/holds a EventEmitter, a resource that a per-task copy cannot duplicate/);
  });
});
