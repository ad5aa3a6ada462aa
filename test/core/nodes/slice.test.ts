import { describe, expect, it } from 'vitest';
import { Stream } from './streamframe.js';

// Deliberate difference from streamz: Python slice semantics ((i - start) % step), never disconnects.

function run(start: number | undefined, end: number | undefined, step: number | undefined, n: number): number[] {
  const s = new Stream<number>();
  const out = s.slice(start, end, step).sinkToList();
  for (let i = 0; i < n; i++) s.emit(i);
  return out;
}

describe('slice', () => {
  it('start only', () => {
    expect(run(3, undefined, undefined, 6)).toEqual([3, 4, 5]);
  });
  it('start and end', () => {
    expect(run(2, 5, undefined, 10)).toEqual([2, 3, 4]);
  });
  it('start, end and step like Python xs[1:7:2]', () => {
    expect(run(1, 7, 2, 10)).toEqual([1, 3, 5]);
  });
  it('step only like xs[::3]', () => {
    expect(run(undefined, undefined, 3, 10)).toEqual([0, 3, 6, 9]);
  });
  it('end 0 passes nothing', () => {
    expect(run(0, 0, 1, 5)).toEqual([]);
  });
  it('stays connected after the end', () => {
    const s = new Stream<number>();
    const sl = s.slice(0, 2);
    sl.sinkToList();
    for (let i = 0; i < 5; i++) s.emit(i);
    expect(s.downstreams).toContain(sl);
  });
  it('rejects negative indices and steps below 1', () => {
    const s = new Stream<number>();
    expect(() => s.slice(-1)).toThrow(RangeError);
    expect(() => s.slice(0, 5, 0)).toThrow(RangeError);
  });
});
