import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledChains, setFusion } from '../../src/core/fuse.js';
import { jsonLogger, RefCounter, runJob, setLogger, Stream, walk, type ErrorPolicy, type NodeStats } from '../../src/index.js';
import { runs } from '../dataframe/helpers.js';

// Fused chains (core/fuse.ts) against the same graphs with fusion switched off: the same outputs,
// dead letters, errors, metadata releases (in the same order) and metrics, including when the
// graph changes while elements flow, and in jobs with metrics (stats on every node from the start,
// as runJob's `metrics: true` does, with enough elements to take timing samples).

type Policy = 'raise' | 'skip' | 'deadLetter' | 'retry';
type Op =
  | { kind: 'map'; a: number; b: number; failOn: number | undefined; policy: Policy }
  | { kind: 'filter' | 'remove'; m: number; r: number; failOn: number | undefined; policy: Policy }
  | { kind: 'accumulate'; start: number | undefined; returnsState: boolean; failOn: number | undefined; policy: Policy }
  | { kind: 'pluck' | 'starmap' | 'stream' }
  | { kind: 'window'; n: number }
  | { kind: 'branch' };

/** A change made to the graph after `at` elements: a tap connected to node `node`, or stats enabled on it. */
interface Change {
  at: number;
  node: number;
  what: 'tap' | 'untap' | 'stats';
}

const failOn = fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined });
const policy = fc.constantFrom<Policy>('raise', 'skip', 'deadLetter', 'retry');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('map' as const), a: fc.integer({ min: -3, max: 3 }), b: fc.integer({ min: -5, max: 5 }), failOn, policy }),
  fc.record({ kind: fc.constantFrom('filter' as const, 'remove' as const), m: fc.integer({ min: 2, max: 4 }), r: fc.integer({ min: 0, max: 1 }), failOn, policy }),
  fc.record({ kind: fc.constant('accumulate' as const), start: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), returnsState: fc.boolean(), failOn, policy }),
  fc.record({ kind: fc.constantFrom('pluck' as const, 'starmap' as const, 'stream' as const) }),
  fc.record({ kind: fc.constant('window' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('branch' as const) }),
);
const scenario = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 8 }),
  sink: fc.constantFrom('sink', 'sinkToList'),
  inputs: fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 30 }),
  /** The inputs run this many times over (past SAMPLE_EVERY elements, so nodes with stats take samples). */
  repeat: fc.integer({ min: 1, max: 6 }),
  /** Stats on every node before the first element, as in a job with `metrics: true`. */
  metrics: fc.boolean(),
  changes: fc.array(fc.record({ at: fc.nat(30), node: fc.nat(20), what: fc.constantFrom<Change['what']>('tap', 'untap', 'stats') }), { maxLength: 3 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const mod = (x: number, m: number) => ((x % m) + m) % m;
const throwing =
  <A extends unknown[], R>(fail: number | undefined, at: (...args: A) => number, f: (...args: A) => R) =>
  (...args: A): R => {
    if (fail !== undefined && mod(at(...args), 7) === fail) throw new Error(`boom on ${at(...args)}`);
    return f(...args);
  };

/** Build the scenario's graph, run its inputs, and return everything observable, in order. */
async function run(s: Scenario, fused: boolean): Promise<{ log: string[]; stats: string[]; compiled: boolean }> {
  setFusion(fused);
  const chainsBefore = compiledChains();
  const log: string[] = [];
  const dead = new Stream<{ nodeId: string; element: unknown }>();
  dead.sink((d) => void log.push(`dead ${d.nodeId} ${JSON.stringify(d.element)}`));
  const policyOf = (p: Policy): ErrorPolicy =>
    p === 'deadLetter' ? { deadLetter: dead } : p === 'retry' ? { retry: 1, backoffMs: 0, then: { deadLetter: dead } } : p;
  // The graph is built below a junction and connected to the head last, so the head's chain
  // runs through whole chains at once, and a change in their middle must re-fuse it.
  const head = new Stream<number>();
  const top = new Stream<number>();
  const nodes: Stream<any>[] = [top];
  let s0: Stream<any> = top;
  for (const [i, o] of s.ops.entries()) {
    const name = `n${i}`;
    if (o.kind === 'map') s0 = s0.map(throwing(o.failOn, (x: number) => x, (x: number) => (o.a * x + o.b) % 1000), { name }).onError(policyOf(o.policy));
    else if (o.kind === 'filter' || o.kind === 'remove')
      s0 = s0[o.kind](throwing(o.failOn, (x: number) => x, (x: number) => mod(x, o.m) === o.r), { name }).onError(policyOf(o.policy));
    else if (o.kind === 'accumulate') {
      const add = (acc: number, x: number) => (acc + x) % 1009;
      const fn: (acc: number, x: number) => unknown = o.returnsState ? (acc, x) => [add(acc, x), acc - x] : add;
      const options = { name, returnsState: o.returnsState, ...(o.start === undefined ? {} : { start: o.start }) };
      s0 = s0.accumulate(throwing(o.failOn, (_acc: number, x: number) => x, fn) as never, options as never).onError(policyOf(o.policy));
    } else if (o.kind === 'pluck') s0 = s0.map((x: number) => ({ v: x, w: -x })).pluck('v', { name });
    else if (o.kind === 'starmap') s0 = s0.map((x: number): [number, number] => [x, 3]).starmap((x: number, k: number) => x * k, { name });
    else if (o.kind === 'stream') {
      const junction = new Stream<number>({ name });
      s0.connect(junction);
      s0 = junction;
    } else if (o.kind === 'window') s0 = s0.slidingWindow(o.n, { name }).map((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    else s0.sink((x) => void log.push(`branch ${i} ${JSON.stringify(x)}`), { name: `${name}-branch` });
    nodes.push(s0);
  }
  if (s.sink === 'sink') s0.sink((x) => void log.push(`out ${JSON.stringify(x)}`), { name: 'end' });
  else s0.sinkToList({ name: 'end' });
  const list = s0.downstreams[s0.downstreams.length - 1] as Stream<any> & { list?: unknown[] };
  head.connect(top);

  const taps = new Map<Stream<any>, { destroy(): void }>();
  const stats = new Map<string, NodeStats>();
  if (s.metrics) for (const node of walk([head, dead])) stats.set(node.id, node.enableStats());
  const inputs = Array.from({ length: s.repeat }, () => s.inputs).flat();
  for (const [i, x] of inputs.entries()) {
    for (const c of s.changes.filter((c) => c.at === i)) {
      const node = nodes[c.node % nodes.length];
      if (c.what === 'stats') stats.set(node.id, node.enableStats());
      else if (c.what === 'tap' && !taps.has(node)) taps.set(node, node.sink((y) => void log.push(`tap ${c.node} ${JSON.stringify(y)}`)));
      else if (c.what === 'untap' && taps.has(node)) {
        taps.get(node)!.destroy();
        taps.delete(node);
      }
    }
    try {
      const r = head.emit(x, [{ ref: new RefCounter(() => void log.push(`done ${i}`)) }]);
      if (r) await r;
    } catch (e) {
      log.push(`error ${(e as Error).message}`);
    }
  }
  if (list.list !== undefined) log.push(`list ${JSON.stringify(list.list)}`);
  const counts = [...stats].map(([id, st]) => `${id} in ${st.elementsIn} out ${st.elementsOut} errors ${st.errors} dead ${st.deadLetters} samples ${st.samples.length}`);
  return { log, stats: counts, compiled: compiledChains() > chainsBefore };
}

describe('fused chains', () => {
  beforeAll(() => setLogger({ log: () => {} })); // skipped elements log warnings
  afterAll(() => {
    setLogger(jsonLogger());
    setFusion(true);
  });

  it('behave as the unfused nodes: outputs, dead letters, errors, releases in order, metrics, graph changes while running', async () => {
    let compiled = 0;
    let compiledWithMetrics = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const unfused = await run(s, false);
        const fused = await run(s, true);
        expect(unfused.compiled).toBe(false);
        if (fused.compiled) compiled++;
        if (fused.compiled && s.metrics) compiledWithMetrics++;
        expect(fused.log).toEqual(unfused.log);
        expect(fused.stats).toEqual(unfused.stats);
      }),
      { numRuns: runs(150) },
    );
    // The property compared fused code, not unfused twice, with and without metrics.
    expect(compiled).toBeGreaterThan(0);
    expect(compiledWithMetrics).toBeGreaterThan(0);
  }, runs(150) * 1000); // ~20 ms a run here; generous for a loaded machine

  it('run a job with metrics: true fused, with the metrics of the unfused job (counts and timing samples per node)', async () => {
    const job = async (fused: boolean) => {
      setFusion(fused);
      const chainsBefore = compiledChains();
      // Every node of the job has stats, and nothing outside it runs: each chain compiled is one with stats.
      const source = Stream.fromIterable(Array.from({ length: 1000 }, (_, i) => i)).name('numbers');
      const sevens = (x: number) => {
        if (x % 7 === 0) throw new Error(`${x} is a multiple of 7`);
        return x;
      };
      source
        .map((x) => ({ v: x, odd: x % 2 === 1 }))
        .name('tagged')
        .filter((r) => r.odd)
        .name('odds')
        .pluck('v')
        .name('values')
        .map(sevens)
        .name('checked')
        .onError('skip')
        .accumulate((a, x) => a + x, { start: 0 })
        .name('total')
        .sink(() => {})
        .name('out');
      const running = runJob(source, { name: 'fusion-metrics', handleSignals: false, metrics: true });
      await running.done;
      const samples = (await running.metricsText()).split('\n').filter((l) => l.startsWith('streamframe_node_processing_seconds_count'));
      return { nodes: running.metrics().nodes, samples, compiled: compiledChains() > chainsBefore };
    };
    const unfused = await job(false);
    const fused = await job(true);
    expect(unfused.compiled).toBe(false);
    expect(fused.compiled).toBe(true);
    expect(fused.nodes).toEqual(unfused.nodes);
    expect(fused.samples).toEqual(unfused.samples);
    expect(fused.nodes.checked).toMatchObject({ elementsIn: 500, elementsOut: 429, errors: 71 });
    expect(fused.samples.some((l) => l.includes('node="total"') && l.endsWith(' 6'))).toBe(true); // 429 in, one in 64 timed
  });

  it('re-fuses when the graph changes: a node connected in the middle of a chain after elements flowed', () => {
    setFusion(true);
    const top = new Stream<number>();
    const doubled = top.map((x) => x * 2);
    const seen: string[] = [];
    doubled.filter((x) => x > 2).sink((x) => void seen.push(`a${x}`));
    const s = new Stream<number>().connect(top);
    s.emit(1);
    s.emit(2);
    expect(s['out'].name).toMatch(/^fused/);
    const tap = doubled.sink((x) => void seen.push(`b${x}`));
    s.emit(3);
    tap.destroy();
    s.emit(4);
    expect(seen).toEqual(['a4', 'a6', 'b6', 'a8']);
  });

  it('fall back to the nodes\' own updates where the process refuses generated code', () => {
    const script = fileURLToPath(new URL('./fixtures/no-codegen.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
    expect(JSON.parse(out)).toEqual([2, 6, 12, 20, 30]);
  }, 150_000);
});
