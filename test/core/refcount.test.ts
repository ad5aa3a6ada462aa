import { describe, expect, it } from 'vitest';
import { RefCounter, Stream, VirtualClock, type Meta } from '../../src/index.js';
import { runs } from '../fixtures/runs.js';

/** A source-side tracker: one RefCounter per element, recording when each element is fully done. */
function tracker() {
  const done: number[] = [];
  const meta = (i: number): Meta => [{ ref: new RefCounter(() => done.push(i)) }];
  return { done, meta };
}

describe('refcounted metadata', () => {
  it('fires once, after every branch of a fan-out finished', () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    const seen: string[] = [];
    s.map((x) => x + 1).sink((x) => seen.push(`a${x}`));
    s.sink((x) => seen.push(`b${x}`));
    s.emit(1, meta(1));
    expect(seen).toEqual(['a2', 'b1']);
    expect(done).toEqual([1]);
  });

  it('releases an element a filter drops', () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    s.filter((x) => x > 10).sink(() => {});
    s.emit(1, meta(1));
    expect(done).toEqual([1]);
  });

  it('holds elements kept in a sliding window until the last window holding them was emitted', () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    s.slidingWindow(2).sink(() => {});
    s.emit(1, meta(1));
    expect(done).toEqual([]);
    s.emit(2, meta(2)); // [1, 2]: 1 is in no later window
    expect(done).toEqual([1]);
    s.emit(3, meta(3));
    expect(done).toEqual([1, 2]);
  });

  it('holds partitioned elements until their partition is emitted', () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    const out = s.partition(3).sinkToList();
    for (let i = 0; i < 5; i++) s.emit(i, meta(i));
    expect(out).toEqual([[0, 1, 2]]);
    expect(done).toEqual([0, 1, 2]);
  });

  it('holds collected elements until flush', () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    const c = s.collect();
    const out = c.sinkToList();
    s.emit(1, meta(1));
    s.emit(2, meta(2));
    expect(done).toEqual([]);
    c.flush();
    expect(out).toEqual([[1, 2]]);
    expect(done.sort()).toEqual([1, 2]);
  });

  it('holds zipped elements until their partner arrives', () => {
    const { done, meta } = tracker();
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zip(b).sinkToList();
    a.emit(1, meta(1));
    a.emit(2, meta(2));
    expect(done).toEqual([]);
    b.emit('x', meta(10));
    expect(out).toEqual([[1, 'x']]);
    expect(done.sort()).toEqual([1, 10]);
  });

  it('holds elements in a buffer and across mapAsync until they are emitted downstream', async () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    const gates: (() => void)[] = [];
    const seen: number[] = [];
    s.buffer(10)
      .mapAsync((x) => new Promise<number>((resolve) => gates.push(() => resolve(x * 10))), { concurrency: 2 })
      .sink((x) => seen.push(x));
    s.emit(1, meta(1));
    s.emit(2, meta(2));
    await new Promise((r) => setImmediate(r));
    expect(gates.length).toBe(2);
    expect(done).toEqual([]);
    gates[1](); // second finishes first: order is kept, so nothing is emitted yet
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    expect(done).toEqual([]);
    gates[0]();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([10, 20]);
    expect(done).toEqual([1, 2]);
  });

  it('holds elements in a timed window until the window is emitted', async () => {
    const clock = new VirtualClock();
    const { done, meta } = tracker();
    const s = new Stream<number>({ clock });
    const out = s.timedWindow(100).sinkToList();
    s.emit(1, meta(1));
    expect(done).toEqual([]);
    await clock.advance(100);
    expect(out).toEqual([[1]]);
    expect(done).toEqual([1]);
  });

  it('waits for an asynchronous sink before releasing', async () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    let finish!: () => void;
    s.sink(() => new Promise<void>((r) => (finish = r)));
    const r = s.emit(1, meta(1));
    expect(r).toBeInstanceOf(Promise);
    expect(done).toEqual([]);
    finish();
    await r;
    expect(done).toEqual([1]);
  });

  it('does not release an element whose processing failed', async () => {
    const { done, meta } = tracker();
    const s = new Stream<number>();
    s.map((x) => {
      if (x === 2) throw new Error('boom');
      return x;
    }).sink(() => {});
    s.emit(1, meta(1));
    expect(() => s.emit(2, meta(2))).toThrow(/boom/);
    expect(done).toEqual([1]);

    const a = new Stream<number>();
    a.mapAsync(async () => {
      throw new Error('async boom');
    }).sink(() => {});
    await expect(a.emit(3, meta(3))).rejects.toThrow(/async boom/);
    expect(done).toEqual([1]);
  });

  it('counts each element exactly once through a deep mixed graph (property)', async () => {
    const fc = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), async (xs, n) => {
        const counts = new Map<number, number>();
        const s = new Stream<number>();
        const evens = s.filter((x) => x % 2 === 0);
        const parts = evens.partition(n);
        const windows = s.slidingWindow(n);
        evens.zip(s.map((x) => -x)).sink(() => {});
        parts.sink(() => {});
        windows.buffer(3).sink(() => {});
        const proms = xs.map((x, i) => s.emit(x, [{ ref: new RefCounter(() => counts.set(i, (counts.get(i) ?? 0) + 1)) }]));
        await Promise.all(proms);
        await new Promise((r) => setImmediate(r));
        for (const c of counts.values()) expect(c).toBe(1); // never twice
      }),
      { numRuns: runs(50) },
    );
  });
});
