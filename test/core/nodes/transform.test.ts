import { describe, expect, expectTypeOf, it } from 'vitest';
import { NodeError, Stream } from './streamframe.js';

// Expected outputs come from streamz 0.6.4 (tuples there are arrays here).

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('map', () => {
  it('applies the function to every element, synchronously', () => {
    const s = new Stream<number>();
    const out = s.map((x) => x * 2).sinkToList();
    expect(s.emit(1)).toBeUndefined();
    s.emit(2);
    s.emit(3);
    expect(out).toEqual([2, 4, 6]);
  });

  it('chains and carries types', () => {
    const s = new Stream<number>();
    const m = s.map((x) => String(x)).map((x) => x + '!');
    expectTypeOf(m).toEqualTypeOf<Stream<string>>();
    const out = m.sinkToList();
    s.emit(7);
    expect(out).toEqual(['7!']);
  });

  it('an exception raises out of emit (default policy) and nothing is emitted', () => {
    const s = new Stream<number>();
    const out = s
      .map((x) => {
        if (x === 2) throw new Error('boom');
        return x;
      })
      .sinkToList();
    s.emit(1);
    expect(() => s.emit(2)).toThrow(/boom/);
    s.emit(3);
    expect(out).toEqual([1, 3]);
  });
});

describe('starmap', () => {
  it('unpacks tuples into arguments', () => {
    const s = new Stream<[number, number]>();
    const out = s.starmap((a, b) => a + b).sinkToList();
    s.emit([1, 2]);
    s.emit([3, 4]);
    expect(out).toEqual([3, 7]); // streamz: [3, 7]
  });
});

describe('filter', () => {
  it('keeps elements where the predicate is true', () => {
    const s = new Stream<number>();
    const out = s.filter((x) => x % 2 === 0).sinkToList();
    for (let i = 0; i < 7; i++) s.emit(i);
    expect(out).toEqual([0, 2, 4, 6]);
  });

  it('without a predicate keeps truthy elements', () => {
    const s = new Stream<unknown>();
    const out = s.filter().sinkToList();
    // streamz filter(None) on [0, 1, '', 2, None, [], [3]] gives [1, 2, [3]]; an empty JS array is truthy
    for (const x of [0, 1, '', 2, null, undefined, false, NaN, [3], 'a']) s.emit(x);
    expect(out).toEqual([1, 2, [3], 'a']);
  });

  it('a type guard narrows the element type', () => {
    const s = new Stream<string | number>();
    const nums = s.filter((x): x is number => typeof x === 'number');
    expectTypeOf(nums).toEqualTypeOf<Stream<number>>();
    const plain = s.filter((x) => x !== 0);
    expectTypeOf(plain).toEqualTypeOf<Stream<string | number>>();
    const out = nums.map((n) => n + 1).sinkToList();
    s.emit('a');
    s.emit(1);
    s.emit('b');
    s.emit(41);
    expect(out).toEqual([2, 42]);
  });
});

describe('pluck', () => {
  it('picks one index or field', () => {
    const s = new Stream<[number, number]>();
    const out = s.pluck(1).sinkToList();
    s.emit([1, 2]);
    s.emit([3, 4]);
    expect(out).toEqual([2, 4]);

    const r = new Stream<{ a: number; b: string }>();
    const bs = r.pluck('b');
    expectTypeOf(bs).toEqualTypeOf<Stream<string>>();
    const outB = bs.sinkToList();
    r.emit({ a: 1, b: 'x' });
    r.emit({ a: 2, b: 'y' });
    expect(outB).toEqual(['x', 'y']);
  });

  it('several keys give a tuple', () => {
    const s = new Stream<[number, number, number]>();
    const out = s.pluck([0, 2]).sinkToList();
    s.emit([1, 2, 3]);
    s.emit([4, 5, 6]);
    expect(out).toEqual([
      [1, 3],
      [4, 6],
    ]); // streamz: [(1, 3), (4, 6)]

    const r = new Stream<{ a: number; b: string; c: boolean }>();
    const ab = r.pluck(['c', 'a'] as const);
    expectTypeOf(ab).toEqualTypeOf<Stream<readonly [boolean, number]>>();
    const outR = ab.sinkToList();
    r.emit({ a: 1, b: 'x', c: true });
    expect(outR).toEqual([[true, 1]]);
  });

  it('plucking a missing field raises, as streamz does', () => {
    const s = new Stream<Record<string, number>>();
    s.pluck('b');
    expect(() => s.emit({ a: 1 })).toThrow(/has no field b/);
  });

  it('plucking from null raises', () => {
    const s = new Stream<{ a: number } | null>();
    s.pluck('a' as never);
    expect(() => s.emit(null)).toThrow(/has no field a/);
  });
});

describe('flatten', () => {
  it('emits each item of every iterable', () => {
    const s = new Stream<Iterable<number>>();
    const out = s.flatten().sinkToList();
    s.emit([1, 2]);
    s.emit([]);
    s.emit(new Set([3, 4]));
    expect(out).toEqual([1, 2, 3, 4]); // streamz: [1, 2, 3]-style
  });

  it('a non-iterable element goes through the error policy', () => {
    const s = new Stream<unknown>();
    (s as Stream<Iterable<unknown>>).flatten();
    expect(() => s.emit(5)).toThrow(NodeError);
    const t = new Stream<Iterable<number>>();
    const out = t.flatten().onError('skip').sinkToList();
    t.emit([1]);
    t.emit(5 as unknown as number[]);
    t.emit([2]);
    expect(out).toEqual([1, 2]);
  });

  it('waits for an asynchronous downstream before the next item', async () => {
    const s = new Stream<number[]>();
    const gates: { x: number; done: () => void }[] = [];
    const started: number[] = [];
    s.flatten().sink((x) => {
      started.push(x);
      const d = deferred();
      gates.push({ x, done: d.resolve });
      return d.promise;
    });
    const r = s.emit([1, 2, 3]);
    expect(r).toBeInstanceOf(Promise);
    let settled = false;
    void (r as Promise<unknown>).then(() => (settled = true));
    expect(started).toEqual([1]); // 2 not pushed before 1 is done
    gates[0].done();
    await new Promise((res) => setImmediate(res));
    expect(started).toEqual([1, 2]);
    gates[1].done();
    await new Promise((res) => setImmediate(res));
    expect(started).toEqual([1, 2, 3]);
    expect(settled).toBe(false);
    gates[2].done();
    await r;
    expect(settled).toBe(true);
  });
});
