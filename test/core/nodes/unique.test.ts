import { describe, expect, it } from 'vitest';
import { Stream, type UniqueOptions } from './streamframe.js';

// Expected outputs come from streamz 0.6.4 (unique with a zict LRU when maxsize is given).

function run<T>(inputs: T[], options?: UniqueOptions<T>): T[] {
  const s = new Stream<T>();
  const out = s.unique(options).sinkToList();
  for (const x of inputs) s.emit(x);
  return out;
}

describe('unique', () => {
  it('passes each value once', () => {
    expect(run([1, 2, 1, 3, 2, 4])).toEqual([1, 2, 3, 4]);
  });

  it('maxsize forgets the least recently seen', () => {
    expect(run([1, 2, 3, 1], { maxsize: 2 })).toEqual([1, 2, 3, 1]);
  });

  it('maxsize: a duplicate refreshes its key (LRU)', () => {
    // 1 is seen again before 3 arrives, so 2 is the one forgotten
    expect(run([1, 2, 1, 3, 1, 2], { maxsize: 2 })).toEqual([1, 2, 3, 2]);
    expect(run([1, 2, 1, 3, 1, 2, 4, 1], { maxsize: 2 })).toEqual([1, 2, 3, 2, 4, 1]);
  });

  it('maxsize 1 drops only consecutive duplicates', () => {
    expect(run([1, 1, 2, 2, 1, 1], { maxsize: 1 })).toEqual([1, 2, 1]);
  });

  it('key', () => {
    expect(run([1, 2, 4, 3, 5, 6], { key: (x) => x % 3 })).toEqual([1, 2, 3]);
  });

  it('key on objects', () => {
    const out = run(
      [
        { id: 'a', v: 1 },
        { id: 'b', v: 2 },
        { id: 'a', v: 3 },
      ],
      { key: (x) => x.id },
    );
    expect(out).toEqual([
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ]);
  });
});
