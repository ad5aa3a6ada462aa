import { describe, expect, it } from 'vitest';
import { Stream, VirtualClock } from './streamframe.js';

// Expected outputs come from streamz 0.6.4 (its tuples are arrays here).

describe('partition', () => {
  it('groups of n; an incomplete group is held', () => {
    const s = new Stream<number>();
    const out = s.partition(3).sinkToList();
    for (let i = 0; i < 10; i++) s.emit(i);
    expect(out).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
  });

  it('n = 1', () => {
    const s = new Stream<number>();
    const out = s.partition(1).sinkToList();
    s.emit(1);
    s.emit(2);
    expect(out).toEqual([[1], [2]]);
  });

  it('key function: each key fills its own groups', () => {
    const s = new Stream<number>();
    const out = s.partition(2, { key: (x) => x % 2 }).sinkToList();
    for (let i = 0; i < 10; i++) s.emit(i);
    expect(out).toEqual([
      [0, 2],
      [1, 3],
      [4, 6],
      [5, 7],
    ]);
  });

  it('key field', () => {
    const s = new Stream<{ k: number; v: number }>();
    const out = s.partition(2, { key: 'k' }).sinkToList();
    s.emit({ k: 1, v: 1 });
    s.emit({ k: 2, v: 2 });
    s.emit({ k: 1, v: 3 });
    expect(out).toEqual([
      [
        { k: 1, v: 1 },
        { k: 1, v: 3 },
      ],
    ]);
  });

  it('timeout emits a partial group when its first element has waited long enough', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const out = s.partition(3, { timeout: 100 }).sinkToList();
    s.emit(1);
    await clock.advance(50);
    s.emit(2);
    await clock.advance(49);
    expect(out).toEqual([]);
    await clock.advance(1);
    expect(out).toEqual([[1, 2]]);
    // a full group cancels its timer
    s.emit(3);
    s.emit(4);
    s.emit(5);
    expect(out).toEqual([[1, 2], [3, 4, 5]]);
    await clock.advance(500);
    expect(out).toEqual([[1, 2], [3, 4, 5]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects n < 1', () => {
    expect(() => new Stream<number>().partition(0)).toThrow(RangeError);
  });
});

describe('partitionUnique', () => {
  it('keep first: a duplicate is dropped', () => {
    const s = new Stream<number>();
    const out = s.partitionUnique(3).sinkToList();
    for (const x of [1, 2, 1, 3, 4, 4, 5, 6]) s.emit(x);
    expect(out).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('keep last: the newer replaces and moves to the end', () => {
    const s = new Stream<number>();
    const out = s.partitionUnique(3, { keep: 'last' }).sinkToList();
    for (const x of [1, 2, 1, 3, 4, 4, 5, 6]) s.emit(x);
    expect(out).toEqual([
      [2, 1, 3],
      [4, 5, 6],
    ]);
  });

  it('key function with keep last', () => {
    const s = new Stream<string>();
    const out = s.partitionUnique(2, { key: (x) => x[0], keep: 'last' }).sinkToList();
    for (const x of ['a1', 'a2', 'b1', 'c1', 'c2', 'd1']) s.emit(x);
    expect(out).toEqual([
      ['a2', 'b1'],
      ['c2', 'd1'],
    ]);
  });

  it('key function with keep first', () => {
    const s = new Stream<string>();
    const out = s.partitionUnique(2, { key: (x) => x[0] }).sinkToList();
    for (const x of ['a1', 'a2', 'b1', 'c1', 'c2', 'd1']) s.emit(x);
    expect(out).toEqual([
      ['a1', 'b1'],
      ['c1', 'd1'],
    ]);
  });
});
