import { describe, expect, it } from 'vitest';
import { SlidingWindowNode, Stream } from './streamframe.js';

// Expected outputs come from streamz 0.6.4 (its tuples are arrays here).

function run(n: number, count: number, returnPartial?: boolean): number[][] {
  const s = new Stream<number>();
  const out = s.slidingWindow(n, returnPartial === undefined ? undefined : { returnPartial }).sinkToList();
  for (let i = 0; i < count; i++) s.emit(i);
  return out;
}

describe('slidingWindow', () => {
  it('returns partial windows by default', () => {
    expect(run(3, 5)).toEqual([[0], [0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]]);
  });

  it('returnPartial false waits for a full window', () => {
    expect(run(3, 5, false)).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
    ]);
    expect(run(3, 2, false)).toEqual([]);
  });

  it('n = 1', () => {
    expect(run(1, 3)).toEqual([[0], [1], [2]]);
    expect(run(1, 3, false)).toEqual([[0], [1], [2]]);
  });

  it('many wraps of the ring, each window a fresh array', () => {
    const out = run(4, 20);
    expect(out).toHaveLength(20);
    for (let i = 0; i < 20; i++) {
      const from = Math.max(0, i - 3);
      expect(out[i]).toEqual(Array.from({ length: i - from + 1 }, (_, k) => from + k));
    }
    out[5].push(99);
    expect(out[6]).toEqual([3, 4, 5, 6]);
  });

  it('snapshot/restore keeps the last n in order', () => {
    const s = new Stream<number>();
    const w = s.slidingWindow(3) as SlidingWindowNode<number>;
    for (let i = 0; i < 5; i++) s.emit(i);
    const s2 = new Stream<number>();
    const w2 = s2.slidingWindow(3) as SlidingWindowNode<number>;
    const out = w2.sinkToList();
    w2.restore(JSON.parse(JSON.stringify(w.snapshot())));
    s2.emit(5);
    expect(out).toEqual([[3, 4, 5]]);
  });
});
