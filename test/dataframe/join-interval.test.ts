// Interval joins of two DataFrame streams: a hand-checked timeline, left outer, late rows, bad keys,
// checkpoints, and a property test against a naive batch join with random batch splits and disorder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFrame, FrameIntervalJoinNode, JoinColumnError, NodeError, Stream } from '../../src/index.js';
import { runs, split, splitArb } from './helpers.js';
import { L, R, bag, collect, disordered, keyArb, parquetRoundTrip, replay, twoStreams, without, type LRow, type RRow } from './join-helpers.js';

const node = (df: DataFrame<any>) => df.stream as unknown as FrameIntervalJoinNode;

describe('sdf.join(right, { on, interval })', () => {
  it('pairs rows with equal keys whose times are within the bounds, once, when the later one arrives', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', interval: { on: 'ts', before: 5, after: 10 } });
    expect(joined.schema).toEqual({ k: 'utf8', ts_x: 'timestamp', v: 'float64', ts_y: 'timestamp', w: 'int32' });
    const got = collect(joined);
    l.emit(L(['a', 100, 1], ['b', 100, 2]));
    expect(got).toEqual([]);
    r.emit(R(['a', 104, 10], ['a', 106, 11], ['a', 89, 12], ['a', 90, 13], ['b', 100, 14], ['c', 100, 15]));
    // left 100 meets right in [100 - 10, 100 + 5] = [90, 105]: 104, 90 for a; 100 for b
    expect(bag(got)).toEqual(
      bag([
        { k: 'a', ts_x: 100, v: 1, ts_y: 104, w: 10 },
        { k: 'a', ts_x: 100, v: 1, ts_y: 90, w: 13 },
        { k: 'b', ts_x: 100, v: 2, ts_y: 100, w: 14 },
      ]),
    );
    l.emit(L(['a', 111, 3]));
    // right 106 is in [101, 116]; 104 too
    expect(bag(got.slice(3))).toEqual(bag([{ k: 'a', ts_x: 111, v: 3, ts_y: 106, w: 11 }, { k: 'a', ts_x: 111, v: 3, ts_y: 104, w: 10 }]));
  });

  it('frees rows once the other side\'s watermark shows no partner can come', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', interval: { on: 'ts', before: 5, after: 10 } });
    collect(joined);
    l.emit(L(['a', 100, 1]));
    r.emit(R(['a', 100, 1]));
    expect(node(joined).held).toEqual({ left: 1, right: 1 });
    r.emit(R(['z', 104, 1]));
    r.emit(R(['z', 105, 1])); // right watermark 105: a right row at 105 is on time, and 100 >= 105 - 5
    expect(node(joined).held.left).toBe(1);
    r.emit(R(['z', 106, 1])); // 106: every right row to come is at 106 or later, out of reach of 100
    expect(node(joined).held).toEqual({ left: 0, right: 4 });
    l.emit(L(['z', 116, 1])); // left watermark 116: right rows below 106 are done (left <= right + 10)
    expect(node(joined).held).toEqual({ left: 1, right: 1 });
  });

  it("how: 'left' emits a left row that never matched when it is freed, with null right columns; end of input emits the rest", () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 } });
    const got = collect(joined);
    l.emit(L(['a', 10, 1], ['b', 10, 2], [null, 10, 3], ['c', null, 4]));
    // null key and null time can never match: out at once
    expect(bag(got)).toEqual(bag([{ k: null, ts_x: 10, v: 3, ts_y: null, w: null }, { k: 'c', ts_x: null, v: 4, ts_y: null, w: null }]));
    r.emit(R(['a', 10, 7]));
    expect(got[2]).toEqual({ k: 'a', ts_x: 10, v: 1, ts_y: 10, w: 7 });
    r.emit(R(['x', 11, 0])); // right watermark 11: b's row at 10 is done, unmatched; a's matched
    expect(got.slice(3)).toEqual([{ k: 'b', ts_x: 10, v: 2, ts_y: null, w: null }]);
    l.emit(L(['d', 20, 5]));
    joined.stream.endOfInput();
    expect(got.slice(4)).toEqual([{ k: 'd', ts_x: 20, v: 5, ts_y: null, w: null }]);
  });

  it('rows below their side\'s watermark go to `late`, with the side and the reason', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', interval: { on: 'ts', before: 5, after: 5 }, outOfOrder: 10 });
    const got = collect(joined);
    const late: string[] = [];
    node(joined).late.sink((e) => void late.push(`${String(e.key)} ${e.eventTime} ${e.watermark} ${e.element.length}`));
    l.emit(L(['a', 100, 1]));
    l.emit(L(['a', 95, 2], ['a', 90, 3], ['a', 89, 4])); // watermark 90: 95 and 90 on time, 89 late
    r.emit(R(['a', 93, 1]));
    expect(late).toEqual(['left 89 90 1']);
    expect(bag(got)).toEqual(bag([{ k: 'a', ts_x: 95, v: 2, ts_y: 93, w: 1 }, { k: 'a', ts_x: 90, v: 3, ts_y: 93, w: 1 }]));
  });

  it('leftOn / rightOn keep both key columns; other shared names get the suffixes', () => {
    const a = new Stream<unknown>();
    const b = new Stream<unknown>();
    const persons = new DataFrame(a, { example: { id: 'int32', name: 'utf8', ts: 'timestamp' } });
    const auctions = new DataFrame(b, { example: { seller: 'int32', name: 'utf8', at: 'timestamp' } });
    const j = auctions.join(persons, { leftOn: 'seller', rightOn: 'id', interval: { leftOn: 'at', rightOn: 'ts', before: 0, after: 1000 }, suffixes: ['', '_person'] });
    expect(j.schema).toEqual({ seller: 'int32', name: 'utf8', at: 'timestamp', id: 'int32', name_person: 'utf8', ts: 'timestamp' });
    const got = collect(j);
    a.emit({ id: [1, 2], name: ['ann', 'bob'], ts: [0, 0] });
    b.emit({ seller: [2, 1, 3], name: ['vase', 'lamp', 'cup'], at: [500, 1500, 10] });
    expect(got).toEqual([{ seller: 2, name: 'vase', at: 500, id: 2, name_person: 'bob', ts: 0 }]);
  });

  it('a key column missing or of another type is an error naming the side and column', () => {
    const { left, right } = twoStreams();
    const other = new DataFrame(new Stream(), { example: { k: 'int32', ts: 'timestamp' } });
    // @ts-expect-error k is utf8 on the left, int32 on the right
    expect(() => left.join(other, { on: 'k', interval: { on: 'ts', before: 1, after: 1 } })).toThrow(/column "k": expected utf8, got int32 on the right side/);
    // @ts-expect-error no column "nope"
    expect(() => left.join(right, { on: 'nope', interval: { on: 'ts', before: 1, after: 1 } })).toThrow(/column "nope".*no such column.*on the left side/);
    // @ts-expect-error the time column must be a timestamp or a number
    expect(() => left.join(right, { on: 'k', interval: { leftOn: 'k', rightOn: 'ts', before: 1, after: 1 } })).toThrow(JoinColumnError);
  });

  it('a batch whose key column changed type at run time fails through the error policy, naming the side', () => {
    const { left, right } = twoStreams();
    const raw = new Stream<unknown>();
    const bad = new DataFrame(raw, { example: right.schema, ingest: false });
    const j2 = left.join(bad, { on: 'k', interval: { on: 'ts', before: 1, after: 1 } });
    const errs: unknown[] = [];
    const dl = new Stream<{ error: unknown }>();
    dl.sink((d) => void errs.push(d.error));
    j2.stream.onError({ deadLetter: dl });
    raw.emit(new DataFrame(new Stream(), { example: { k: 'float64', ts: 'timestamp', w: 'int32' } }).empty());
    expect(errs).toHaveLength(1);
    expect(String(errs[0])).toMatch(/column "k": expected utf8, got float64 on the right side of the join/);
    j2.stream.onError('raise');
    expect(() => raw.emit(new DataFrame(new Stream(), { example: { w: 'int32' } }).empty())).toThrow(NodeError);
  });

  it('state is a Parquet-ready table of the held rows; restoring it into a fresh pipeline continues as one run', () => {
    const run = (cut: boolean) => {
      let s = twoStreams();
      let joined = s.left.join(s.right, { on: 'k', how: 'left', interval: { on: 'ts', before: 5, after: 5 }, name: 'j' });
      const outs = [collect(joined)];
      s.l.emit(L(['a', 10, 1], ['b', 12, 2]));
      s.r.emit(R(['a', 14, 3]));
      if (cut) {
        const state = parquetRoundTrip(node(joined).snapshot());
        expect(state.schema.fields.map((f) => f.name)).toEqual(['k', 'ts_x', 'v', 'ts_y', 'w', 'join_left', 'join_matched']);
        s = twoStreams();
        joined = s.left.join(s.right, { on: 'k', how: 'left', interval: { on: 'ts', before: 5, after: 5 }, name: 'j', start: state });
        outs.push(collect(joined));
      }
      s.r.emit(R(['b', 16, 4], ['a', 15, 5]));
      s.l.emit(L(['a', 30, 6]));
      s.r.emit(R(['z', 40, 0]));
      joined.stream.endOfInput();
      return outs.flat();
    };
    const whole = run(false);
    expect(whole.length).toBe(4);
    expect(bag(run(true))).toEqual(bag(whole));
  });
});

// ---- property: streaming = naive batch join -------------------------------------------------

const JITTER = 6;
const BEFORE = 3;
const AFTER = 4;

function naiveJoin(ls: LRow[], rs: RRow[], how: 'inner' | 'left') {
  const out: object[] = [];
  for (const a of ls) {
    let hit = false;
    for (const b of rs) {
      if (a.k === null || a.k !== b.k || a.ts === null || b.ts === null) continue;
      if (a.ts >= b.ts - BEFORE && a.ts <= b.ts + AFTER) {
        hit = true;
        out.push({ k: a.k, ts_x: a.ts, v: a.v, ts_y: b.ts, w: b.w });
      }
    }
    if (!hit && how === 'left') out.push({ k: a.k, ts_x: a.ts, v: a.v, ts_y: null, w: null });
  }
  return out;
}

const lArb = disordered(fc.record({ k: keyArb, v: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<LRow[]>;
const rArb = disordered(fc.record({ k: keyArb, w: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<RRow[]>;

describe('interval join property', () => {
  it('equals a naive batch join of the rows not sent to late, for any batch split, interleaving, disorder and checkpoint cut', () => {
    const outOfOrderArb = fc.integer({ min: 0, max: JITTER + 1 });
    fc.assert(
      fc.property(lArb, rArb, splitArb, splitArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), fc.integer({ min: -1, max: 40 }), fc.constantFrom('inner' as const, 'left' as const), outOfOrderArb, (ls, rs, ls1, rs1, order, cutAt, how, ooo) => {
        const { out: joined, late } = replay(split(ls, ls1), split(rs, rs1), order, cutAt, (start) => {
          const s = twoStreams();
          const j = s.left.join(s.right, { on: 'k', how, interval: { on: 'ts', before: BEFORE, after: AFTER }, outOfOrder: ooo, start });
          return { ...s, node: node(j), got: collect(j) };
        });
        if (ooo >= JITTER) expect(late).toEqual({ left: [], right: [] }); // disorder within the bound: nothing is late
        expect(bag(joined)).toEqual(bag(naiveJoin(without(ls, late.left), without(rs, late.right), how)));
      }),
      { numRuns: runs(300) },
    );
  });
});
