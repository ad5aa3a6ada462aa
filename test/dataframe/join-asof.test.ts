// As-of and lookup joins: the latest right row of the key at or before the left row's time, from a
// stream of versions or a static table; TTL; checkpoints; a property test against a naive merge_asof.
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { AsofJoinNode, DataFrame, StaticTable, Stream } from '../../src/index.js';
import { runs, split, splitArb } from './helpers.js';
import { L, R, bag, collect, disordered, keyArb, parquetRoundTrip, replay, twoStreams, without, type LRow, type RRow } from './join-helpers.js';

const node = (df: DataFrame<any>) => df.stream as unknown as AsofJoinNode;

describe("sdf.join(right, { on, asof })", () => {
  it('joins each left row with the latest version at or before its time, once the right watermark has passed it', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', asof: { on: 'ts' } });
    expect(joined.schema).toEqual({ k: 'utf8', ts_x: 'timestamp', v: 'float64', ts_y: 'timestamp', w: 'int32' });
    const got = collect(joined);
    r.emit(R(['a', 10, 1], ['a', 20, 2], ['b', 15, 3]));
    l.emit(L(['a', 19, 100], ['a', 25, 101], ['b', 14, 102]));
    // right watermark 20: 19 and 14 are settled; 25 waits (a version at 21..25 may still come)
    expect(got).toEqual([
      { k: 'a', ts_x: 19, v: 100, ts_y: 10, w: 1 },
      { k: 'b', ts_x: 14, v: 102, ts_y: null, w: null },
    ]);
    expect(node(joined).held.left).toBe(1);
    r.emit(R(['a', 25, 4], ['c', 25, 0]));
    l.emit(L(['a', 25, 103])); // at the right watermark: a version at 25 may still come
    expect(got.length).toBe(2);
    r.emit(R(['a', 25, 5], ['c', 30, 0])); // equal times: the later arrival is the latest
    expect(got.slice(2)).toEqual([
      { k: 'a', ts_x: 25, v: 101, ts_y: 25, w: 5 },
      { k: 'a', ts_x: 25, v: 103, ts_y: 25, w: 5 },
    ]);
  });

  it("how: 'inner' drops left rows with no version; end of input settles the waiting rows", () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', how: 'inner', asof: { on: 'ts' } });
    const got = collect(joined);
    r.emit(R(['a', 10, 1]));
    l.emit(L(['a', 50, 1], ['b', 50, 2], [null, 5, 3]));
    expect(got).toEqual([]);
    joined.stream.endOfInput();
    expect(got).toEqual([{ k: 'a', ts_x: 50, v: 1, ts_y: 10, w: 1 }]);
  });

  it('ttl: a version older than the ttl does not match, and expired versions are freed', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', asof: { on: 'ts', ttl: 100 } });
    const got = collect(joined);
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`);
    r.emit({ k: keys, ts: keys.map(() => 0), w: keys.map((_, i) => i) });
    r.emit(R(['z', 1000, 0]));
    l.emit(L(['k1', 100, 1], ['k2', 101, 2]));
    expect(got).toEqual([
      { k: 'k1', ts_x: 100, v: 1, ts_y: 0, w: 1 },
      { k: 'k2', ts_x: 101, v: 2, ts_y: null, w: null },
    ]);
    expect(node(joined).held.right).toBe(1); // left watermark 101: the versions at 0 are older than 101 - 100
    r.emit({ k: keys, ts: keys.map(() => 1001), w: keys.map(() => 0) });
    expect(node(joined).held.right).toBe(3001);
    l.emit(L(['z', 1200, 3])); // waits for the right watermark; no lookup from 1200 on reaches back to 1100
    expect(node(joined).held).toEqual({ left: 1, right: 0 });
  });

  it('a static table (Arrow) is a lookup join: every left row at once, with the last row of its key', () => {
    const s = new Stream<unknown>();
    const orders = new DataFrame(s, { example: { customer: 'int32', amount: 'float64', ts: 'timestamp' } });
    const table = arrow.tableFromArrays({ id: Int32Array.of(1, 2, 1), name: ['ann', 'bob', 'anne'] });
    const customers = new StaticTable(table, { example: { id: 'int32', name: 'utf8' } });
    const joined = orders.join(customers, { leftOn: 'customer', rightOn: 'id' });
    expect(joined.schema).toEqual({ customer: 'int32', amount: 'float64', ts: 'timestamp', id: 'int32', name: 'utf8' });
    const got = collect(joined);
    s.emit({ customer: [1, 3], amount: [9.5, 1], ts: [5, 1] });
    s.emit({ customer: [2], amount: [2], ts: [0] }); // an older time is not late for a table
    expect(got).toEqual([
      { customer: 1, amount: 9.5, ts: 5, id: 1, name: 'anne' },
      { customer: 3, amount: 1, ts: 1, id: null, name: null },
      { customer: 2, amount: 2, ts: 0, id: 2, name: 'bob' },
    ]);
    // @ts-expect-error customer is int32, name is utf8
    expect(() => orders.join(customers, { leftOn: 'customer', rightOn: 'name' })).toThrow(/column "name": expected int32, got utf8 on the right side/);
    // @ts-expect-error two streams need an interval or asof
    expect(() => orders.join(orders, { on: 'customer' })).toThrow(/say how rows of two streams meet/);
  });

  it('a static table with a time column: as-of on it', () => {
    const s = new Stream<unknown>();
    const trades = new DataFrame(s, { example: { sym: 'utf8', ts: 'timestamp', qty: 'int32' } });
    const rates = new StaticTable({ sym: ['x', 'x', 'y'], from: [0, 100, 0], rate: [1, 2, 3] }, { example: { sym: 'utf8', from: 'timestamp', rate: 'float64' } });
    const got = collect(trades.join(rates, { on: 'sym', asof: { leftOn: 'ts', rightOn: 'from' } }));
    s.emit({ sym: ['x', 'x', 'y', 'x'], ts: [50, 100, 7, 150], qty: [1, 2, 3, 4] });
    expect(got.map((r) => r.rate)).toEqual([1, 2, 3, 2]);
  });

  it('restores pending left rows and versions from a Parquet snapshot; the static table is not state', () => {
    const s = new Stream<unknown>();
    const trades = new DataFrame(s, { example: { sym: 'utf8', ts: 'timestamp', qty: 'int32' } });
    const rates = new StaticTable({ sym: ['x'], rate: [1] }, { example: { sym: 'utf8', rate: 'float64' } });
    const j = trades.join(rates, { on: 'sym' });
    expect(node(j).snapshot().numRows).toBe(0);
  });
});

// ---- property: streaming = naive merge_asof --------------------------------------------------

const JITTER = 5;

function naiveAsof(ls: LRow[], rs: RRow[], how: 'inner' | 'left', ttl: number) {
  const out: object[] = [];
  for (const a of ls) {
    let best: RRow | undefined;
    for (const b of rs) {
      if (a.k === null || a.k !== b.k || a.ts === null || b.ts === null || b.ts > a.ts || a.ts - b.ts > ttl) continue;
      if (best === undefined || b.ts >= best.ts!) best = b; // rs in arrival order: ties go to the later
    }
    if (best !== undefined) out.push({ k: a.k, ts_x: a.ts, v: a.v, ts_y: best.ts, w: best.w });
    else if (how === 'left') out.push({ k: a.k, ts_x: a.ts, v: a.v, ts_y: null, w: null });
  }
  return out;
}


describe('as-of join property', () => {
  it('equals a naive merge_asof of the rows not sent to late, for any split, interleaving, disorder, ttl and checkpoint cut', () => {
    const lArb = disordered(fc.record({ k: keyArb, v: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<LRow[]>;
    const rArb = disordered(fc.record({ k: keyArb, w: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<RRow[]>;
    fc.assert(
      fc.property(
        lArb,
        rArb,
        splitArb,
        splitArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: -1, max: 30 }),
        fc.constantFrom('inner' as const, 'left' as const),
        fc.integer({ min: 0, max: JITTER + 1 }),
        fc.constantFrom(Infinity, 3, 20),
        (ls, rs, lsplit, rsplit, order, cutAt, how, outOfOrder, ttl) => {
          const { out, late } = replay(split(ls, lsplit), split(rs, rsplit), order, cutAt, (start) => {
            const s = twoStreams();
            const joined = s.left.join(s.right, { on: 'k', how, asof: { on: 'ts', ...(ttl < Infinity && { ttl }) }, outOfOrder, start });
            return { ...s, node: node(joined), got: collect(joined) };
          });
          if (outOfOrder >= JITTER) expect(late).toEqual({ left: [], right: [] });
          expect(bag(out)).toEqual(bag(naiveAsof(without(ls, late.left), without(rs, late.right), how, ttl)));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
