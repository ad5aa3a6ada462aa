// Window joins: rows of both sides in the same tumbling or hopping window, against a naive batch join.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FrameWindowJoinNode } from '../../src/index.js';
import { runs, split, splitArb } from './helpers.js';
import { joinStateTable, readJoinState } from '../../src/dataframe/join/state.js';
import { L, R, bag, collect, disordered, keyArb, naiveWindowJoin, parquetRoundTrip, replay, twoStreams, type Kind, type LRow, type RRow } from './join-helpers.js';


describe("sdf.join(right, { on, window })", () => {
  it('tumbling: pairs in the same window only, window bounds first, each window joined when both watermarks reach its end', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', window: { tumbling: 10, on: 'ts' } });
    expect(joined.schema).toEqual({ window_start: 'timestamp', window_end: 'timestamp', k: 'utf8', ts_x: 'timestamp', v: 'float64', ts_y: 'timestamp', w: 'int32' });
    const got = collect(joined);
    l.emit(L(['a', 9, 1], ['a', 10, 2]));
    expect(got).toEqual([]); // the right side's watermark is not at 10 yet: a partner of (a, 9) may still come
    r.emit(R(['a', 11, 3], ['a', 5, 4]));
    // Both watermarks are at 10 or past: [0, 10) is complete; [10, 20) is not.
    expect(bag(got)).toEqual(bag([{ window_start: 0, window_end: 10, k: 'a', ts_x: 9, v: 1, ts_y: 5, w: 4 }]));
    (joined.stream.upstreams[0] as unknown as FrameWindowJoinNode).endOfInput();
    expect(bag(got)).toEqual(
      bag([
        { window_start: 10, window_end: 20, k: 'a', ts_x: 10, v: 2, ts_y: 11, w: 3 },
        { window_start: 0, window_end: 10, k: 'a', ts_x: 9, v: 1, ts_y: 5, w: 4 },
      ]),
    );
  });

  it('hopping: a pair shares every window both rows are in', () => {
    const { l, r, left, right } = twoStreams();
    const joined = left.join(right, { on: 'k', window: { hopping: 10, slide: 5, on: 'ts' } });
    const got = collect(joined);
    l.emit(L(['a', 7, 1]));
    r.emit(R(['a', 9, 2], ['a', 12, 3]));
    (joined.stream.upstreams[0] as unknown as FrameWindowJoinNode).endOfInput();
    // 7 is in [0,10) and [5,15); 9 in the same two; 12 in [5,15) and [10,20)
    expect(bag(got).map((s) => JSON.parse(s) as { window_start: number; w: number }).map((x) => `${x.window_start}:${x.w}`).sort()).toEqual(['0:2', '5:2', '5:3']);
  });
});

const JITTER = 4;

describe('window join property', () => {
  it('equals a naive batch window join for any split, interleaving, disorder within outOfOrder and checkpoint cut', () => {
    const lArb = disordered(fc.record({ k: keyArb, v: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<LRow[]>;
    const rArb = disordered(fc.record({ k: keyArb, w: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<RRow[]>;
    const kindArb = fc.constantFrom<Kind>({ tumbling: 5 }, { tumbling: 12 }, { hopping: 10, slide: 5 }, { hopping: 9, slide: 3 });
    fc.assert(
      fc.property(lArb, rArb, splitArb, splitArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), fc.integer({ min: -1, max: 30 }), fc.constantFrom('inner' as const, 'left' as const), kindArb, (ls, rs, lsplit, rsplit, order, cutAt, how, kind) => {
        const { out, late } = replay(split(ls, lsplit), split(rs, rsplit), order, cutAt, (start) => {
          const s = twoStreams();
          const joined = s.left.join(s.right, { on: 'k', how, window: { ...kind, on: 'ts' }, outOfOrder: JITTER, start });
          return { ...s, node: joined.stream.upstreams[0] as unknown as FrameWindowJoinNode, got: collect(joined) };
        });
        expect(late).toEqual({ left: [], right: [] }); // disorder within outOfOrder
        expect(bag(out)).toEqual(bag(naiveWindowJoin(ls, rs, kind, how)));
      }),
      { numRuns: runs(250) },
    );
  });
});

describe('window join checkpoint of version 1 (pairs emitted as their later row arrived)', () => {
  it('restores: pairs among the restored rows are not emitted again, their matched flags count for a left join', () => {
    const kind = { tumbling: 10, on: 'ts' } as const;
    for (const how of ['inner', 'left'] as const) {
      // The job before: a3 met a5 (that pair was emitted), b4 and d2 had no partner yet; nothing of [0, 10) closed.
      const before = twoStreams();
      const old = before.left.join(before.right, { on: 'k', how, window: kind });
      const oldNode = old.stream.upstreams[0] as unknown as FrameWindowJoinNode;
      before.l.emit(L(['a', 3, 1], ['b', 4, 2], ['d', 2, 5]));
      before.r.emit(R(['a', 5, 10]));
      const { held, meta } = readJoinState('windowJoin', 'j', oldNode.settings.layout, oldNode.snapshot());
      const v1 = joinStateTable(oldNode.settings.layout, { left: { ...held.left, matched: Uint8Array.of(1, 0, 0) }, right: held.right }, { kind: 'intervalJoin', version: 1, clock: meta.clock });

      const after = twoStreams();
      const joined = after.left.join(after.right, { on: 'k', how, window: kind, start: parquetRoundTrip(v1) });
      const got = collect(joined);
      after.r.emit(R(['b', 6, 20]));
      after.l.emit(L(['a', 7, 3], ['c', 8, 4]));
      (joined.stream.upstreams[0] as unknown as FrameWindowJoinNode).endOfInput();
      const row = (k: string, tsx: number, v: number, tsy: number | null, w: number | null) => ({ window_start: 0, window_end: 10, k, ts_x: tsx, v, ts_y: tsy, w });
      const pairs = [row('b', 4, 2, 6, 20), row('a', 7, 3, 5, 10)];
      expect(bag(got)).toEqual(bag(how === 'inner' ? pairs : [...pairs, row('c', 8, 4, null, null), row('d', 2, 5, null, null)]));
    }
  });
});
