// A join side that goes quiet: with idleTimeout it stops holding the join back, on a timer (virtual clock).
import { describe, expect, it } from 'vitest';
import { AsofJoinNode, FrameIntervalJoinNode, type DataFrame } from '../../src/index.js';
import { L, R, collect, parquetRoundTrip, twoStreams } from './join-helpers.js';

const node = (df: DataFrame<any>) => df.stream as unknown as FrameIntervalJoinNode;

describe('sdf.join(..., { idleTimeout })', () => {
  it("a side that never sends is idle after idleTimeout: a left join's unmatched rows come out on the timer, no element needed", async () => {
    const { l, left, right, clock } = twoStreams();
    const joined = left.join(right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 }, idleTimeout: '10s' });
    const got = collect(joined);
    l.emit(L(['a', 100, 1]));
    await clock.advance(5_000);
    l.emit(L(['b', 200, 2])); // left watermark 200; the right side sent nothing: it holds everything back
    await clock.advance(4_999);
    expect(got).toEqual([]);
    expect(node(joined).held.left).toBe(2);
    await clock.advance(1); // 10 s since the left side first sent: the right side is idle (the left is not), its watermark moves up to the left's (200)
    expect(got).toEqual([{ k: 'a', ts_x: 100, v: 1, ts_y: null, w: null }]);
    expect(node(joined).held.left).toBe(1); // 200 is at the watermark: a right row at 200 could still come
  });

  it('a side that sent and went quiet is idle too; a row it sends later below the lifted watermark goes to late', async () => {
    const { l, r, left, right, clock } = twoStreams();
    const joined = left.join(right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 }, idleTimeout: 5_000 });
    const got = collect(joined);
    const late: number[] = [];
    node(joined).late.sink((e) => void late.push(e.element.length));
    r.emit(R(['a', 10, 7]));
    await clock.advance(3_000);
    l.emit(L(['a', 10, 1], ['b', 50, 2], ['c', 90, 3])); // a matches; b and c wait for the right watermark (10)
    expect(got).toEqual([{ k: 'a', ts_x: 10, v: 1, ts_y: 10, w: 7 }]);
    await clock.advance(1_999);
    expect(got.length).toBe(1);
    await clock.advance(1); // right quiet for 5 s while the left is not: right watermark lifted to the left's (90)
    expect(got.slice(1)).toEqual([{ k: 'b', ts_x: 50, v: 2, ts_y: null, w: null }]);
    r.emit(R(['b', 60, 8])); // below the right side's (lifted) watermark: its partners may be gone
    expect(late).toEqual([1]);
    expect(got.length).toBe(2);
  });

  it('both sides quiet: neither lifts the other (as Flink, when every input is idle); without idleTimeout nothing moves on the clock', async () => {
    for (const idleTimeout of [1_000, undefined]) {
      const { l, r, left, right, clock } = twoStreams();
      const joined = left.join(right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 }, idleTimeout });
      const got = collect(joined);
      l.emit(L(['a', 100, 1]));
      r.emit(R(['z', 50, 1])); // freed at once: the left watermark (100) is past it
      await clock.advance(60_000);
      expect(got).toEqual([]);
      expect(node(joined).held).toEqual({ left: 1, right: 0 });
    }
  });

  it("how long each side was quiet is checkpointed: a restored join goes idle when the uninterrupted one would", async () => {
    const first = twoStreams();
    const j1 = first.left.join(first.right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 }, idleTimeout: '10s', name: 'j' });
    collect(j1);
    first.l.emit(L(['a', 100, 1]));
    await first.clock.advance(2_000);
    first.l.emit(L(['b', 200, 2]));
    await first.clock.advance(2_000); // the right side quiet for 4 s (since the left's first row), the left for 2 s
    const state = parquetRoundTrip(node(j1).snapshot());

    const second = twoStreams();
    const j2 = second.left.join(second.right, { on: 'k', how: 'left', interval: { on: 'ts', before: 0, after: 0 }, idleTimeout: '10s', name: 'j', start: state });
    const got = collect(j2);
    await second.clock.advance(5_999);
    expect(got).toEqual([]);
    await second.clock.advance(1); // 10 s of quiet on the right, 8 s on the left
    expect(got).toEqual([{ k: 'a', ts_x: 100, v: 1, ts_y: null, w: null }]);
  });

  it('an as-of join emits left rows waiting for a quiet right side', async () => {
    const { l, r, left, right, clock } = twoStreams();
    const joined = left.join(right, { on: 'k', asof: { on: 'ts' }, idleTimeout: '1s' });
    const got = collect(joined);
    r.emit(R(['a', 5, 7]));
    await clock.advance(500);
    l.emit(L(['a', 8, 1], ['z', 20, 2])); // left watermark 20
    expect(got).toEqual([]);
    expect((joined.stream as unknown as AsofJoinNode).held.left).toBe(2);
    await clock.advance(499);
    expect(got).toEqual([]);
    await clock.advance(1); // the right side quiet for 1 s, the left for 0.5 s: the right watermark moves up to 20
    expect(got).toEqual([{ k: 'a', ts_x: 8, v: 1, ts_y: 5, w: 7 }]);
    expect((joined.stream as unknown as AsofJoinNode).held.left).toBe(1); // z at 20: a version at 20 could still come
  });
});
