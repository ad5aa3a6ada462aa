// Hopping windows by panes: proven equal to the per-window path (each row added to each of its
// size/slide windows) on random out-of-order input with lateness, late rows, idle partitions and
// timers that fire late; state through Parquet; old per-window states refused.
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFrame, Stream, VirtualClock, type Clock, type Frame, type LateElement, type Meta } from '../../src/index.js';
import { parquetToTable, tableToParquet } from '../../src/checkpoint/index.js';
import { PaneAggregateNode } from '../../src/dataframe/sdf/pane-window-node.js';
import { keySpaceRestart } from '../../src/dataframe/panes.js';
import { WindowAggregateNode, type FrameWindowSettings } from '../../src/dataframe/sdf/time-window-node.js';
import type { AggSpec } from '../../src/dataframe/grouped.js';
import { runs } from './helpers.js';

/** Property runs take long on a loaded 2-core machine, and SDF_FC_SCALE multiplies them. */
const LONG = 240_000 * Number(process.env.SDF_FC_SCALE ?? 1);

const example = { k: 'utf8', n: 'int32', v: 'float64', ts: 'timestamp' } as const;
type Ev = { k: string | null; n: number | null; v: number; ts: number; part: number; dt: number };

/** A clock whose timers never fire: the watermark moves (idle partitions) while no timer ran, as on a loaded machine. */
class LateTimersClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  setTimeout(): { cancel(): void } {
    return { cancel() {} };
  }
  yieldTurn(): Promise<void> {
    return Promise.resolve();
  }
}

const ALL_OPS: AggSpec[] = [
  ...(['sum', 'count', 'size', 'mean', 'min', 'max', 'var', 'std', 'first', 'last', 'nunique'] as const).map((op) => ({ column: 'v', op })),
  ...(['count', 'first', 'last', 'nunique'] as const).map((op) => ({ column: 'k', op })),
];
const FLOAT_OPS = new Set(['v_sum', 'v_mean', 'v_var', 'v_std']);

interface Setup {
  size: number;
  slide: number;
  outOfOrder: number;
  lateness: number;
  emit: 'final' | 'current';
  by: string[];
  dropna: boolean;
}

/** The pane node and the per-window node side by side on one DataFrame, each with its outputs logged. */
function build(s: Setup, clock: Clock) {
  const source = new Stream<unknown>({ clock });
  const sdf = new DataFrame(source, { example });
  const settings: FrameWindowSettings = {
    spec: { hopping: s.size, slide: s.slide },
    on: 'ts',
    options: { outOfOrder: s.outOfOrder, lateness: s.lateness, emit: s.emit, idleTimeout: 50, clock },
    schema: sdf.schema,
    dicts: sdf.dicts,
  };
  const grouped = { schema: sdf.schema, dicts: sdf.dicts, by: s.by, aggs: ALL_OPS, dropna: s.dropna };
  const logOf = (node: PaneAggregateNode | WindowAggregateNode) => {
    const log: Record<string, unknown>[] = [];
    node.sink((f: Frame) => void log.push(...f.toRows({ timestamps: 'ms' })));
    node.late.sink((l: LateElement<Frame>) => void log.push({ late: l.element.toRows({ timestamps: 'ms' }), eventTime: l.eventTime, watermark: l.watermark }));
    return log;
  };
  const panes = new PaneAggregateNode(sdf.stream, settings, grouped, {});
  const naive = new WindowAggregateNode(sdf.stream, settings, grouped, {});
  return { source, panes, naive, panesLog: logOf(panes), naiveLog: logOf(naive) };
}

/** Equal rows, the float aggregates (summed in another order) to a relative 1e-9. */
function expectSameRows(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): void {
  const round = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, FLOAT_OPS.has(c) && typeof v === 'number' ? Number(v.toPrecision(9)) : v])));
  expect(round(actual)).toEqual(round(expected));
}

const evArb = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 6 }),
  n: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 6 }),
  v: fc.oneof({ weight: 1, arbitrary: fc.constant(NaN) }, { weight: 6, arbitrary: fc.integer({ min: -40, max: 40 }).map((x) => x / 4) }),
  ts: fc.integer({ min: -6, max: 14 }),
  part: fc.integer({ min: 0, max: 1 }),
  dt: fc.constantFrom(0, 0, 10, 60),
});
const setupArb: fc.Arbitrary<Setup> = fc
  .record({
    size: fc.integer({ min: 2, max: 12 }),
    slideFrac: fc.integer({ min: 1, max: 12 }),
    outOfOrder: fc.constantFrom(0, 2, 5),
    lateness: fc.constantFrom(0, 3, 8),
    emit: fc.constantFrom('final' as const, 'current' as const),
    by: fc.constantFrom<string[]>([], ['k'], ['n'], ['k', 'n']),
    dropna: fc.boolean(),
  })
  .map(({ slideFrac, ...s }) => ({ ...s, slide: Math.max(1, Math.min(s.size, slideFrac)) }));

/** Event time rising by a running offset plus jitter, so some rows come late. */
function timed(evs: Ev[]): Ev[] {
  let offset = 0;
  return evs.map((e) => ({ ...e, ts: (offset += Math.max(0, e.ts)) + e.ts }));
}

/** Push the events in batches of `sizes`, processing time moving by each batch's first `dt`. */
function feed(source: Stream<unknown>, clock: { time: number }, evs: Ev[], sizes: number[]): void {
  let i = 0;
  for (const size of sizes) {
    const b = evs.slice(i, i + size);
    i += size;
    if (b.length === 0) continue;
    clock.time += b[0].dt;
    const meta: Meta = [{ topic: 't', partition: b[0].part }];
    source.emit({ k: b.map((r) => r.k), n: b.map((r) => r.n), v: Float64Array.from(b, (r) => r.v), ts: b.map((r) => r.ts) }, meta);
  }
}

/** The events in batches of `sizes` (the rest in one) through both nodes, late timers and all: the same rows out. */
function expectPanesAsNaive(setup: Setup, evs: Ev[], sizes: number[]): void {
  const clock = new LateTimersClock();
  const { source, panes, naive, panesLog, naiveLog } = build(setup, clock);
  feed(source, clock, evs, [...sizes, evs.length]);
  panes.flush();
  naive.flush();
  expectSameRows(panesLog, naiveLog);
}

describe('hopping windows by panes = each row in each of its windows', () => {
  it('the public API aggregates hopping windows by panes of gcd(size, slide)', () => {
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example });
    const out = sdf.window({ hopping: 6, slide: 4, on: 'ts' }).groupby('k').agg({ v: 'sum' });
    expect(out.stream).toBeInstanceOf(PaneAggregateNode);
    const got: Record<string, unknown>[] = [];
    out.stream.sink((f) => void got.push(...f.toRows({ timestamps: 'ms' })));
    // panes of 2: [0,2) [2,4) [4,6) [6,8); windows [0,6) [4,10) and [-4,2)
    source.emit({ k: ['a', 'a', 'b', 'a'], n: [0, 0, 0, 0], v: Float64Array.of(1, 2, 4, 8), ts: [1, 3, 5, 7] });
    (out.stream as PaneAggregateNode).flush();
    expect(got).toEqual([
      { window_start: -4, window_end: 2, k: 'a', v_sum: 1 },
      { window_start: 0, window_end: 6, k: 'a', v_sum: 3 },
      { window_start: 0, window_end: 6, k: 'b', v_sum: 4 },
      { window_start: 4, window_end: 10, k: 'a', v_sum: 8 },
      { window_start: 4, window_end: 10, k: 'b', v_sum: 4 },
    ]);
  });

  it('a window the watermark passed while no timer ran keeps its rows: a row for a later window sharing its pane is not in it', () => {
    const clock = new LateTimersClock();
    const setup: Setup = { size: 10, slide: 5, outOfOrder: 0, lateness: 0, emit: 'final', by: [], dropna: true };
    const { source, panes, naive, panesLog, naiveLog } = build(setup, clock);
    const emit = (part: number, ts: number, v: number) => source.emit({ k: ['a'], n: [1], v: Float64Array.of(v), ts: [ts] }, [{ topic: 't', partition: part }]);
    emit(1, 1, 1);
    emit(0, 12, 10); // watermark 1: partition 1 holds it back
    clock.time += 60; // partition 1 idle: the watermark is 12 at the next batch, [0, 10) not emitted yet
    emit(0, 7, 100); // in [5, 15) only; its pane [5, 10) is also [0, 10)'s
    panes.flush();
    naive.flush();
    const sums = (log: Record<string, unknown>[]) => log.map((r) => `[${r.window_start}, ${r.window_end}) ${r.v_sum}`);
    expect(sums(panesLog)).toEqual(['[-5, 5) 1', '[0, 10) 1', '[5, 15) 110', '[10, 20) 10']);
    expect(sums(naiveLog)).toEqual(sums(panesLog));
  });

  it('same windows, revisions and late rows on random out-of-order input, idle partitions and late timers', () => {
    fc.assert(
      fc.property(setupArb, fc.array(evArb, { maxLength: 60 }).map(timed), fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 20 }), expectPanesAsNaive),
      { numRuns: runs(150) },
    );
  }, LONG);

  it('a snapshot anywhere, through Parquet, restored into a fresh graph, goes on as the uninterrupted per-window path', () => {
    fc.assert(
      fc.property(setupArb, fc.array(evArb, { maxLength: 50 }).map(timed), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 12 }), fc.nat(), (setup, evs, sizes, cutAt) => {
        const batches = [...sizes, evs.length];
        const cut = cutAt % (batches.length + 1);
        const wholeClock = new LateTimersClock();
        const whole = build(setup, wholeClock);
        feed(whole.source, wholeClock, evs, batches);
        whole.naive.flush();
        const clock = new LateTimersClock();
        const first = build(setup, clock);
        const upTo = batches.slice(0, cut).reduce((a, b) => a + b, 0);
        feed(first.source, clock, evs.slice(0, upTo), batches.slice(0, cut));
        const state = parquetToTable(tableToParquet(first.panes.snapshot()));
        const second = build(setup, clock);
        second.panes.restore(state);
        feed(second.source, clock, evs.slice(upTo), batches.slice(cut));
        second.panes.flush();
        expectSameRows([...first.panesLog, ...second.panesLog], whole.naiveLog);
      }),
      { numRuns: runs(60) },
    );
  }, LONG);
});

describe('pane state', () => {
  const setup: Setup = { size: 10, slide: 5, outOfOrder: 0, lateness: 0, emit: 'final', by: ['k'], dropna: true };
  const batch = { k: ['a', 'b', 'a'], n: [1, 1, 1], v: Float64Array.of(1, 2, 3), ts: [1, 6, 7] };

  it('is plain Parquet: one row per key and pane, pane bounds, partial results under their names', async () => {
    const { source, panes } = build(setup, new VirtualClock());
    source.emit(batch);
    const dir = await mkdtemp(join(tmpdir(), 'panes-'));
    try {
      const file = join(dir, 'state.parquet');
      await writeFile(file, tableToParquet(panes.snapshot()));
      const db = await DuckDBInstance.create();
      const conn = await db.connect();
      const rows = await conn.runAndReadAll(`SELECT pane_start, pane_end, k, v_sum, v_count FROM read_parquet('${file}') ORDER BY pane_start, k`);
      expect(rows.getRowObjectsJson()).toEqual([
        { pane_start: 0, pane_end: 5, k: 'a', v_sum: 1, v_count: 1 },
        { pane_start: 5, pane_end: 10, k: 'a', v_sum: 3, v_count: 1 },
        { pane_start: 5, pane_end: 10, k: 'b', v_sum: 2, v_count: 1 },
      ]);
      conn.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a per-window hopping state (version 1, before panes) is refused with an error that says why and what to do', () => {
    const { source, naive } = build(setup, new VirtualClock());
    source.emit(batch);
    const old = naive.snapshot();
    const fresh = build(setup, new VirtualClock());
    expect(() => fresh.panes.restore(old)).toThrow(/holds one table per window \(version 1\), but this node keeps hopping panes \(version 2\); restore it with the streamframe version that wrote it, or start this node afresh/);
    const panesState = build(setup, new VirtualClock());
    panesState.source.emit(batch);
    expect(() => fresh.naive.restore(panesState.panes.snapshot())).toThrow(/holds hopping panes \(version 2\)/);
  });

  it("takes the batch's own typed arrays and keeps none: a producer refilling one buffer for every batch gets the same windows and late rows", () => {
    const run = (refill: boolean) => {
      const source = new Stream<unknown>();
      const sdf = new DataFrame(source, { example: { k: 'float64', v: 'float64', ts: 'timestamp' } });
      const w = sdf.window({ hopping: 10, slide: 5, on: 'ts' });
      const out = w.groupby('k').agg({ v: ['sum', 'max'] });
      const got: Record<string, unknown>[] = [];
      out.stream.sink((f) => void got.push(...f.toRows({ timestamps: 'ms' })));
      const late: Frame[] = [];
      w.late.stream.sink((f) => void late.push(f));
      const buf = { k: new Float64Array(4), v: new Float64Array(4), ts: new Float64Array(4) };
      for (let b = 0; b < 30; b++) {
        const batch = refill ? buf : { k: new Float64Array(4), v: new Float64Array(4), ts: new Float64Array(4) };
        for (let i = 0; i < 4; i++) {
          batch.k[i] = (b * 7 + i) % 3;
          batch.v[i] = b * 10 + i;
          batch.ts[i] = i === 3 && b % 4 === 0 ? b * 3 - 20 : b * 3 + i; // every fourth batch has a late row
        }
        source.emit(batch);
      }
      (out.stream as PaneAggregateNode).flush();
      return { got, late: late.flatMap((f) => f.toRows({ timestamps: 'ms' })) };
    };
    const fresh = run(false);
    expect(fresh.late.length).toBeGreaterThan(3);
    expect(run(true)).toEqual(fresh);
  });

  it('frees each pane with the last window that covers it', () => {
    const { source, panes } = build(setup, new VirtualClock());
    for (let t = 0; t < 1000; t += 3) source.emit({ k: ['a'], n: [1], v: Float64Array.of(1), ts: [t] });
    expect(panes.snapshot().numRows).toBeLessThanOrEqual(3);
    expect(panes.book.size).toBeLessThanOrEqual(2);
  });
});

describe("the panes' key space (panes merged by dense key ids)", () => {
  const defaultMinDead = keySpaceRestart.minDead;
  afterEach(() => void (keySpaceRestart.minDead = defaultMinDead));

  it('restarting it whenever most keys left every pane changes no window, revision or late row', () => {
    keySpaceRestart.minDead = 0;
    // Keys that change with event time, so keys leave every pane and the key space restarts often.
    const moving = (evs: Ev[]) => evs.map((e) => ({ ...e, k: e.k === null ? null : `${e.k}${e.ts}` }));
    fc.assert(
      fc.property(setupArb, fc.array(evArb, { maxLength: 60 }).map(timed).map(moving), fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 20 }), expectPanesAsNaive),
      { numRuns: runs(150) },
    );
  }, LONG);

  it('follows the live keys: a stream of never-repeating keys keeps at most three times the keys of its open panes', () => {
    const { source, panes } = build({ size: 10, slide: 2, outOfOrder: 0, lateness: 0, emit: 'final', by: ['n'], dropna: true }, new VirtualClock());
    let largest = 0;
    for (let b = 0; b < 400; b++) {
      const n = Array.from({ length: 100 }, (_, i) => b * 100 + i);
      source.emit({ k: n.map(() => 'a'), n, v: new Float64Array(100).fill(1), ts: n.map((x) => x / 100) });
      largest = Math.max(largest, panes.panes.keys - 3 * panes.panes.liveKeys);
    }
    // 40 000 keys, 200 per pane of 2 ms; a window's 5 panes hold 1 000.
    expect(panes.panes.liveKeys).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(defaultMinDead + 1000);
  });
});
