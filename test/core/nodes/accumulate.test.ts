import { describe, expect, expectTypeOf, it } from 'vitest';
import { AccumulateNode, Stream } from './streamframe.js';

// Expected outputs come from streamz 0.6.4.

function run<T, U>(build: (s: Stream<T>) => Stream<U>, inputs: T[]): U[] {
  const s = new Stream<T>();
  const out = build(s).sinkToList();
  for (const x of inputs) s.emit(x);
  return out;
}

describe('accumulate', () => {
  it('without start, the first element becomes the state and is emitted as is', () => {
    expect(run((s: Stream<number>) => s.accumulate((a, b) => a + b), [1, 2, 3, 4])).toEqual([1, 3, 6, 10]);
  });

  it('with a start', () => {
    expect(run((s: Stream<number>) => s.accumulate((a: number, b) => a + b, { start: 10 }), [1, 2, 3, 4])).toEqual([11, 13, 16, 20]);
  });

  it('state of another type than the elements', () => {
    const out = run((s: Stream<string>) => s.accumulate((acc: string[], x) => [...acc, x], { start: [] as string[] }), ['a', 'b']);
    expect(out).toEqual([['a'], ['a', 'b']]);
  });

  it('returnsState: the function returns [state, result]', () => {
    const out = run(
      (s: Stream<number>) => {
        const r = s.accumulate((st: number, x) => [st + x, st * x] as const, { start: 0, returnsState: true });
        expectTypeOf(r).toEqualTypeOf<Stream<number>>();
        return r;
      },
      [1, 2, 3, 4],
    );
    expect(out).toEqual([0, 2, 9, 24]); // streamz: [0, 2, 9, 24]
  });

  it('returnsState with [state, result] of different types', () => {
    const out = run(
      (s: Stream<number>) => s.accumulate((n: number, x) => [n + 1, `${n}:${x}`] as const, { start: 0, returnsState: true }),
      [5, 6, 7],
    );
    expect(out).toEqual(['0:5', '1:6', '2:7']);
  });

  it('resetStream: any element on it resets the state to start', () => {
    const s = new Stream<number>();
    const reset = new Stream<string>();
    const out = s.accumulate((a: number, b) => a + b, { start: 0, resetStream: reset }).sinkToList();
    s.emit(1);
    s.emit(2);
    reset.emit('x');
    s.emit(5);
    s.emit(6);
    expect(out).toEqual([1, 3, 5, 11]);
  });

  it('resetStream without start forgets the state: the next element starts afresh', () => {
    const s = new Stream<number>();
    const reset = new Stream<unknown>();
    const out = s.accumulate((a, b) => a + b, { resetStream: reset }).sinkToList();
    s.emit(1);
    s.emit(2);
    expect(reset.emit(null)).toBeUndefined();
    s.emit(5);
    s.emit(6);
    expect(out).toEqual([1, 3, 5, 11]);
  });

  it('snapshot and restore carry the state', () => {
    const s = new Stream<number>();
    const acc = s.accumulate((a: number, b) => a + b, { start: 0 }) as AccumulateNode<number, number, number>;
    const out = acc.sinkToList();
    s.emit(4);
    const s2 = new Stream<number>();
    const acc2 = s2.accumulate((a: number, b) => a + b, { start: 0 }) as AccumulateNode<number, number, number>;
    const out2 = acc2.sinkToList();
    acc2.restore(acc.snapshot());
    s2.emit(1);
    expect(out2).toEqual([5]);
    expect(out).toEqual([4]);
  });
});
