import { describe, expect, it, vi } from 'vitest';
import { realClock, Stream, VirtualClock, type Clock } from './nodes/streamframe.js';

describe('edge cases', () => {
  it('a clock that runs zero delays synchronously works with node timers', () => {
    const syncClock: Clock = {
      now: () => 0,
      setTimeout(fn, ms) {
        if (ms === 0) fn();
        return { cancel: () => {} };
      },
    };
    const s = new Stream<number>({ clock: syncClock });
    const out = s.partition(5, { timeout: 0 }).sinkToList();
    s.emit(1);
    expect(out).toEqual([[1]]);
  });

  it('a fan-out whose later branch throws does not leave an unhandled rejection behind', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const s = new Stream<number>();
      s.mapAsync(async () => {
        throw new Error('async branch');
      });
      s.map(() => {
        throw new Error('sync branch');
      });
      expect(() => s.emit(1)).toThrow(/sync branch/);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('real-clock waits longer than 2^31-1 ms are chained, not cut short', () => {
    const calls: { fn: () => void; ms: number }[] = [];
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      calls.push({ fn, ms });
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    try {
      const fn = vi.fn();
      realClock.setTimeout(fn, 2 ** 31 + 5);
      expect(calls.map((c) => c.ms)).toEqual([2 ** 31 - 1]);
      calls[0].fn();
      expect(fn).not.toHaveBeenCalled();
      expect(calls.map((c) => c.ms)).toEqual([2 ** 31 - 1, 6]);
      calls[1].fn();
      expect(fn).toHaveBeenCalledOnce();
    } finally {
      spy.mockRestore();
    }
  });

  it('keys compare by value: tuples and records group as in streamz', () => {
    const s = new Stream<[string, number]>();
    const uniq = s.unique().sinkToList();
    const parts = s.partition(2, { key: (x) => [x[0], x[1] % 2] }).sinkToList();
    s.emit(['a', 1]);
    s.emit(['a', 1]);
    s.emit(['a', 3]);
    expect(uniq).toEqual([['a', 1], ['a', 3]]);
    expect(parts).toEqual([[['a', 1], ['a', 1]]]);
  });

  it('unique with maxsize 0 remembers everything, as streamz', () => {
    const s = new Stream<number>();
    const out = s.unique({ maxsize: 0 }).sinkToList();
    [1, 2, 1, 3, 2].forEach((x) => s.emit(x));
    expect(out).toEqual([1, 2, 3]);
  });

  it('stopTimers stops a timed window for good, even with an emission in flight', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const w = s.timedWindow(10);
    let release!: () => void;
    const seen: number[][] = [];
    w.sink((x) => (seen.push(x), new Promise<void>((r) => (release = r))));
    s.emit(1);
    await clock.advance(10);
    expect(seen).toEqual([[1]]);
    w.stopTimers();
    release();
    await clock.advance(100);
    expect(seen).toEqual([[1]]);
    expect(clock.pendingTimers).toBe(0);
  });
});
