// DataFrame tumbling, hopping and session windows: hand-checked timelines, late rows, restarts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFrame, Stream, VirtualClock, isStateful, nodeIds, type Stateful, type TimeWindowNode } from '../../src/index.js';
import type * as arrow from 'apache-arrow';
import { ipcRoundTrip, runs } from './helpers.js';

const example = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;
type Rows = { k: string[]; v: number[]; ts: number[] };

function setup(clock = new VirtualClock()) {
  const source = new Stream<unknown>({ clock });
  const sdf = new DataFrame(source, { example });
  return { source, sdf, clock };
}
const rowsOf = (df: DataFrame<any>) => {
  const out: Record<string, unknown>[] = [];
  df.stream.sink((f) => void out.push(...f.toRows({ timestamps: 'ms' })));
  return out;
};
const batch = (...rows: [string, number, number][]): Rows => ({ k: rows.map((r) => r[0]), v: rows.map((r) => r[1]), ts: rows.map((r) => r[2]) });
const flush = (df: DataFrame<any>) => (df.stream as unknown as { flush(): void }).flush();

describe('sdf.window({ tumbling })', () => {
  it('groupby-agg per closed window: window bounds, keys, aggregates; nothing until the watermark passes', () => {
    const { source, sdf } = setup();
    const out = sdf.window({ tumbling: '10s', on: 'ts', outOfOrder: '1s' }).groupby('k').agg({ v: ['sum', 'max'] });
    expect(out.schema).toEqual({ window_start: 'timestamp', window_end: 'timestamp', k: 'utf8', v_sum: 'float64', v_max: 'float64' });
    const got = rowsOf(out);
    source.emit(batch(['a', 1, 1000], ['b', 2, 2000], ['a', 3, 9500]));
    source.emit(batch(['b', 4, 10_500], ['a', 5, 9_800])); // 9.8 s arrives late but within 1 s
    expect(got).toEqual([]);
    source.emit(batch(['a', 6, 11_000])); // watermark 10 s: [0, 10 s) closes
    expect(got).toEqual([
      { window_start: 0, window_end: 10_000, k: 'a', v_sum: 9, v_max: 5 },
      { window_start: 0, window_end: 10_000, k: 'b', v_sum: 2, v_max: 2 },
    ]);
    flush(out);
    expect(got.slice(2)).toEqual([
      { window_start: 10_000, window_end: 20_000, k: 'a', v_sum: 6, v_max: 6 },
      { window_start: 10_000, window_end: 20_000, k: 'b', v_sum: 4, v_max: 4 },
    ]);
  });

  it('late rows beyond the allowed lateness come out of window.late; within it they re-emit the window', () => {
    const { source, sdf } = setup();
    const w = sdf.window({ tumbling: 10, on: 'ts', lateness: 5 });
    const sums = w.col('v').sum();
    const got = rowsOf(sums);
    const late = rowsOf(w.late);
    const reasons: string[] = [];
    (sums.stream as unknown as TimeWindowNode<unknown>).late.sink((l) => void reasons.push(`${l.eventTime} ${l.watermark}`));
    source.emit(batch(['a', 1, 1], ['a', 2, 12]));
    source.emit(batch(['a', 10, 3])); // watermark 12 < 10 + 5: updates [0,10)
    source.emit(batch(['a', 100, 16], ['a', 1000, 4])); // watermark 12 before this batch: 4 still counts
    source.emit(batch(['a', 7, 5])); // watermark 16: [0,10) is gone
    expect(got).toEqual([
      { window_start: 0, window_end: 10, v: 1 },
      { window_start: 0, window_end: 10, v: 11 },
      { window_start: 0, window_end: 10, v: 1011 },
    ]);
    expect(late).toEqual([{ k: 'a', v: 7, ts: 5 }]);
    source.emit(batch(['a', 1, 2], ['a', 1, 30], ['a', 1, 6]));
    expect(reasons).toEqual(['5 16', '6 16']); // per batch: the late rows' largest event time, the watermark before it
  });

  it('emit current: the windows a batch changed, after each batch', () => {
    const { source, sdf } = setup();
    const got = rowsOf(sdf.window({ tumbling: 10, on: 'ts', emit: 'current' }).agg({ v: 'count' }));
    source.emit(batch(['a', 1, 1], ['a', 1, 2]));
    source.emit(batch(['a', 1, 3], ['a', 1, 11]));
    expect(got).toEqual([
      { window_start: 0, window_end: 10, v_count: 2 },
      { window_start: 0, window_end: 10, v_count: 3 },
      { window_start: 10, window_end: 20, v_count: 1 },
    ]);
  });

  it('processing time: windows close on the clock', async () => {
    const clock = new VirtualClock(0);
    const { source, sdf } = setup(clock);
    const got = rowsOf(sdf.window({ tumbling: '1s' }).agg({ v: 'sum' }));
    source.emit(batch(['a', 1, 0]));
    await clock.advance(600);
    source.emit(batch(['a', 2, 0]));
    await clock.advance(399);
    expect(got).toEqual([]);
    await clock.advance(1);
    expect(got).toEqual([{ window_start: 0, window_end: 1000, v_sum: 3 }]);
  });

  it('bad specs fail when the window is built, naming the problem', () => {
    const { sdf } = setup();
    expect(() => sdf.window({ tumbling: '10 secs', on: 'ts' })).toThrow(/cannot parse duration "10 secs"/);
    expect(() => sdf.window({ tumbling: '10s', on: 'k' })).toThrow(/window on "k": column is utf8/);
    expect(() => sdf.window({ tumbling: '10s', on: 'nope' as 'ts' })).toThrow(/no such column \(columns: k, v, ts\)/);
    expect(() => sdf.window({ tumbling: '10s', lateness: '1s' })).toThrow(/need event time/);
    expect(() => sdf.window({ tumbling: '10s', on: 'ts' }).filter((r) => r.col('v').max())).toThrow(/mask .* is float64, not bool/);
  });
});

describe('hopping, session, filter against the window aggregate', () => {
  it('hopping: each row in size / slide windows', () => {
    const { source, sdf } = setup();
    const out = sdf.window({ hopping: 10, slide: 5, on: 'ts' }).groupby('k').col('v').sum();
    const got = rowsOf(out);
    source.emit(batch(['a', 1, 1], ['a', 2, 6], ['b', 4, 7]));
    flush(out);
    expect(got.map((r) => `${r.window_start}-${r.window_end} ${r.k} ${r.v}`)).toEqual(['-5-5 a 1', '0-10 a 3', '0-10 b 4', '5-15 a 2', '5-15 b 4']);
  });

  it('hopping by a numeric key: a batch grouped once, mapped into each window', () => {
    const { source, sdf } = setup();
    const out = sdf.window({ hopping: 10, slide: 5, on: 'ts' }).groupby('v').agg({ k: 'count' });
    const got = rowsOf(out);
    source.emit(batch(['a', 1, 1], ['b', 2, 6], ['c', 1, 7], ['d', 1, 12]));
    flush(out);
    expect(got.map((r) => `${r.window_start} v=${r.v} n=${r.k_count}`)).toEqual(['-5 v=1 n=1', '0 v=1 n=2', '0 v=2 n=1', '5 v=1 n=2', '5 v=2 n=1', '10 v=1 n=1']);
  });

  it('sessions per key: rows within the gap join (and merge) a session', () => {
    const { source, sdf } = setup();
    const got = rowsOf(sdf.window({ session: 5, on: 'ts' }).groupby('k').agg({ v: ['sum', 'count'] }));
    source.emit(batch(['a', 1, 1], ['b', 10, 2], ['a', 2, 4]));
    source.emit(batch(['a', 4, 12], ['a', 8, 10])); // watermark 12: a [1,9), b [2,7) are over
    source.emit(batch(['b', 0, 30]));
    expect(got).toEqual([
      { window_start: 2, window_end: 7, k: 'b', v_sum: 10, v_count: 1 },
      { window_start: 1, window_end: 9, k: 'a', v_sum: 3, v_count: 2 },
      { window_start: 10, window_end: 17, k: 'a', v_sum: 12, v_count: 2 },
    ]);
  });

  it('filter with the window max: the rows that hold their window max (NEXMark Q7)', () => {
    const { source, sdf } = setup();
    const got = rowsOf(sdf.window({ tumbling: 10, on: 'ts' }).filter((rows) => rows.col('v').eq(rows.col('v').max())));
    source.emit(batch(['a', 3, 1], ['b', 7, 2], ['c', 7, 3], ['d', 1, 11]));
    source.emit(batch(['e', 9, 25]));
    expect(got).toEqual([
      { window_start: 0, window_end: 10, k: 'b', v: 7, ts: 2 },
      { window_start: 0, window_end: 10, k: 'c', v: 7, ts: 3 },
      { window_start: 10, window_end: 20, k: 'd', v: 1, ts: 11 },
    ]);
  });
});

describe('DataFrame time windows agree with a batch recomputation', () => {
  const shapes: { name: string; spec: { tumbling: number } | { hopping: number; slide: number }; size: number; slide: number }[] = [
    { name: 'tumbling', spec: { tumbling: 10 }, size: 10, slide: 10 },
    { name: 'hopping', spec: { hopping: 10, slide: 5 }, size: 10, slide: 5 },
  ];
  for (const { name, spec: kind, size: size_, slide } of shapes) {
    it(`${name} by one and by two keys: every window's groups as computed from all rows at once`, () => {
      const rowArb = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 8 }));
      fc.assert(
        fc.property(fc.array(rowArb, { maxLength: 80 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), (raw, size, twoKeys) => {
          let t = 0;
          const rows = raw.map(([k, v, dt]): [string, number, number] => [k, v, (t += dt)]); // in order: nothing late
          const { source, sdf } = setup();
          const by = twoKeys ? (['k', 'v'] as const) : (['k'] as const);
          const out = sdf.window({ ...kind, on: 'ts' }).groupby([...by]).agg({ ts: ['count', 'max', 'first'] });
          const got = rowsOf(out);
          for (let i = 0; i < rows.length; i += size) source.emit(batch(...rows.slice(i, i + size)));
          flush(out);
          const expected = new Map<string, number[]>();
          for (const [k, v, ts] of rows) {
            for (let start = Math.floor(ts / slide) * slide; start > ts - size_; start -= slide) {
              const key = `${start} ${k}${twoKeys ? ` ${v}` : ''}`;
              const e = expected.get(key) ?? [0, -Infinity, ts];
              expected.set(key, [e[0] + 1, Math.max(e[1], ts), e[2]]);
            }
          }
          const streamed = new Map(got.map((r) => [`${r.window_start} ${r.k}${twoKeys ? ` ${r.v}` : ''}`, [r.ts_count, r.ts_max, r.ts_first]]));
          expect(streamed).toEqual(expected);
        }),
        { numRuns: runs(60) },
      );
    });
  }
});

describe('checkpoints of DataFrame time windows', () => {
  type Ev = [string, number, number];
  const evs = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: -5, max: 9 }), fc.integer({ min: -2, max: 30 })), { maxLength: 60 });
  const kinds = [{ tumbling: 10 }, { hopping: 10, slide: 5 }, { session: 3 }] as const;

  for (const kind of kinds) {
    it(`${Object.keys(kind)[0]}: snapshot (through Arrow IPC) anywhere, restore into a fresh graph, go on = one run`, () => {
      fc.assert(
        fc.property(evs, fc.integer({ min: 1, max: 6 }), fc.nat(), (raw, size, cut) => {
          // Event time mostly rising: a running offset plus jitter, so some rows are late.
          let t = 0;
          const rows: Ev[] = raw.map(([k, v, dt]) => [k, v, (t += Math.max(0, dt - 10)) + dt]);
          const batches: Ev[][] = [];
          for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
          const build = () => {
            const { source, sdf } = setup();
            const w = sdf.window({ ...kind, on: 'ts', outOfOrder: 4, lateness: 3 });
            // Hopping groups by two keys: the path that groups a batch once for all its windows.
            const out = w.groupby('hopping' in kind ? ['k', 'v'] : ['k']).agg({ v: ['sum', 'max', 'first', 'count'] }).name('agg');
            const got = rowsOf(out);
            const late = rowsOf(w.late);
            return { source, out, log: () => [...got.map((r) => JSON.stringify(r)), ...late.map((r) => `late ${JSON.stringify(r)}`)] };
          };
          const whole = build();
          batches.forEach((b) => whole.source.emit(batch(...b)));
          flush(whole.out);
          const k = batches.length === 0 ? 0 : cut % (batches.length + 1);
          const first = build();
          batches.slice(0, k).forEach((b) => first.source.emit(batch(...b)));
          const states = new Map<string, arrow.Table>();
          for (const [node, id] of nodeIds(first.source)) if (isStateful(node)) states.set(id, ipcRoundTrip((node as Stateful<arrow.Table>).snapshot()));
          const second = build();
          for (const [node, id] of nodeIds(second.source)) if (states.has(id)) (node as unknown as Stateful<arrow.Table>).restore(states.get(id)!);
          batches.slice(k).forEach((b) => second.source.emit(batch(...b)));
          flush(second.out);
          const windowsOnly = (log: string[]) => log.filter((l) => !l.startsWith('late'));
          const lates = (log: string[]) => log.filter((l) => l.startsWith('late'));
          expect([...windowsOnly(first.log()), ...windowsOnly(second.log())]).toEqual(windowsOnly(whole.log()));
          expect([...lates(first.log()), ...lates(second.log())]).toEqual(lates(whole.log()));
        }),
        { numRuns: runs(40) },
      );
    });
  }
});
