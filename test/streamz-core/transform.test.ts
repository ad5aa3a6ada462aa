// Ports of streamz/tests/test_core.py: map, filter, accumulate (scan), starmap, remove, pluck,
// flatten, unique, frequencies, slice, union, errors. Expected values confirmed with streamz 0.6.4.
import { describe, expect, it } from 'vitest';
import { NodeError, Stream } from '../core/nodes/streamframe.js';
import { double, inc, metadata } from './helpers.js';

describe('streamz test_core: transforms', () => {
  it('test_basic', () => {
    const source = new Stream<number>();
    const b1 = source.map(inc);
    const b2 = source.map(double);
    const c = b1.accumulate((a, b) => a + b);
    const Lc = c.sinkToList();
    const Lb = b2.sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    expect(Lc).toEqual([1, 3, 6, 10]);
    expect(Lb).toEqual([0, 2, 4, 6]);
  });

  it('test_no_output', () => {
    const source = new Stream<number>();
    expect(source.emit(1)).toBeUndefined();
  });

  it('test_scan', () => {
    const source = new Stream<number>();
    const f = (acc: number, i: number): [number, number] => [acc + i, acc + i];
    const L = source.accumulate(f, { start: 0, returnsState: true }).sinkToList();
    for (let i = 0; i < 3; i++) source.emit(i);
    // streamz: without start the first element is the state and is emitted as is
    expect(L).toEqual([0, 1, 3]);
  });

  it('test_kwargs', () => {
    const source = new Stream<number>();
    const f = (acc: number, x: number, y = 0) => acc + x + y;
    const L = source.accumulate((acc, x) => f(acc, x, 10)).sinkToList();
    for (let i = 0; i < 3; i++) source.emit(i);
    expect(L).toEqual([0, 11, 23]);
  });

  it('test_filter', () => {
    const source = new Stream<number>();
    const L = source.filter((x) => x % 2 === 0).sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i);
    expect(L).toEqual([0, 2, 4, 6, 8]);
  });

  it('test_filter_args', () => {
    const source = new Stream<number>();
    const divisible = (x: number, n: number) => x % n === 0;
    const L = source.filter((x) => divisible(x, 2)).sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i);
    expect(L).toEqual([0, 2, 4, 6, 8]);
  });

  it('test_filter_kwargs', () => {
    const source = new Stream<number>();
    const divisible = (x: number, n = 1) => x % n === 0;
    const L = source.filter((x) => divisible(x, 2)).sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i);
    expect(L).toEqual([0, 2, 4, 6, 8]);
  });

  it('test_filter_none', () => {
    const source = new Stream<number>();
    const L = source.filter().sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i % 3);
    expect(L).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('test_map', () => {
    const add = (x = 0, y = 0) => x + y;
    const source = new Stream<number>();
    const L = source.map((x) => add(x, 10)).sinkToList();
    source.emit(1);
    expect(L[0]).toBe(11);
  });

  it('test_map_args', () => {
    const source = new Stream<number>();
    const L = source.map((x) => x + 10).sinkToList();
    source.emit(1);
    expect(L).toEqual([11]);
  });

  it('test_starmap', () => {
    const add = (x = 0, y = 0) => x + y;
    const source = new Stream<[number, number]>();
    const L = source.starmap(add).sinkToList();
    source.emit([1, 10]);
    expect(L[0]).toBe(11);
  });

  it('test_remove', () => {
    const source = new Stream<number>();
    const L = source.remove((x) => x % 2 === 0).sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i);
    expect(L).toEqual([1, 3, 5, 7, 9]);
  });

  it('test_frequencies', () => {
    const source = new Stream<string>();
    const L = source.frequencies().sinkToList();
    source.emit('a');
    source.emit('b');
    source.emit('a');
    expect(L.at(-1)).toEqual(new Map([['a', 2], ['b', 1]]));
  });

  it('frequencies: a restore with a state of another shape is a clear error', () => {
    const node = new Stream<string>().frequencies() as unknown as { restore(s: unknown): void };
    expect(() => node.restore({ items: [] })).toThrow(/expected \{ counts/);
  });

  it.each([
    ['lists', [[1, 2, 3], [4, 5], [6, 7, 8]]],
    ['generators', [(function* () { for (let i = 1; i < 7; i++) yield i; })(), (function* () { yield 7; yield 8; })()]],
  ] as [string, Iterable<number>[]][])('test_flatten (%s)', (_, iterators) => {
    const source = new Stream<Iterable<number>>();
    const L = source.flatten().sinkToList();
    for (const it of iterators) source.emit(it);
    expect(L).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('test_flatten_empty', () => {
    const source = new Stream<number[]>();
    const L = source.flatten().sinkToList();
    source.emit([1, 2]);
    source.emit([]);
    source.emit([3, 4]);
    expect(L).toEqual([1, 2, 3, 4]);
  });

  it('test_unique', () => {
    const source = new Stream<number>();
    const L = source.unique().sinkToList();
    source.emit(1);
    source.emit(2);
    source.emit(1);
    expect(L).toEqual([1, 2]);
  });

  it('test_unique_key', () => {
    const source = new Stream<number>();
    const L = source.unique({ key: (x) => x % 2, maxsize: 1 }).sinkToList();
    for (const x of [1, 2, 4, 6, 3]) source.emit(x);
    expect(L).toEqual([1, 2, 3]);
  });

  it('test_unique_metadata', () => {
    const source = new Stream<number>();
    const L = metadata(source.unique()).flatten().sinkToList();
    for (let i = 0; i < 5; i++) source.emit(i, [{ v: i }]);
    expect(L).toEqual([0, 1, 2, 3, 4].map((v) => ({ v })));
  });

  it('test_unique_history', () => {
    // streamz checks hashable=True and hashable=False alike; we key every value by its content
    const source = new Stream<number>();
    const L = source.unique({ maxsize: 2 }).sinkToList();
    for (const x of [1, 2, 1, 2, 1, 2]) source.emit(x);
    expect(L).toEqual([1, 2]);
    source.emit(3);
    source.emit(2);
    expect(L).toEqual([1, 2, 3]);
    source.emit(1);
    expect(L).toEqual([1, 2, 3, 1]);
    source.emit(2); // update 2's position
    source.emit(3); // knock out 1
    source.emit(2); // update 2's position
    expect(L).toEqual([1, 2, 3, 1, 3]);
  });

  it('test_unique_history_dict', () => {
    const source = new Stream<Record<string, string>>();
    const L = source.unique({ maxsize: 2 }).sinkToList();
    const a = { hi: 'world' };
    const b = { hi: 'bar' };
    const c = { foo: 'bar' };
    for (const x of [a, b, a, b, a, b]) source.emit(x);
    expect(L).toEqual([a, b]);
    source.emit(c);
    source.emit(b);
    expect(L).toEqual([a, b, c]);
    source.emit(a);
    expect(L).toEqual([a, b, c, a]);
  });

  it('test_union', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const L = a.union(b, c).sinkToList();
    a.emit(1);
    expect(L).toEqual([1]);
    b.emit(2);
    expect(L).toEqual([1, 2]);
    a.emit(3);
    expect(L).toEqual([1, 2, 3]);
    c.emit(4);
    expect(L).toEqual([1, 2, 3, 4]);
  });

  it('test_pluck', () => {
    const a = new Stream<number[]>();
    const L = a.pluck(1).sinkToList();
    a.emit([1, 2, 3]);
    expect(L).toEqual([2]);
    a.emit([4, 5, 6, 7, 8, 9]);
    expect(L).toEqual([2, 5]);
    expect(() => a.emit([1])).toThrow(NodeError);
  });

  it('test_pluck_list', () => {
    const a = new Stream<number[]>();
    const L = a.pluck([0, 2]).sinkToList();
    a.emit([1, 2, 3]);
    expect(L).toEqual([[1, 3]]);
    a.emit([4, 5, 6, 7, 8, 9]);
    expect(L).toEqual([[1, 3], [4, 6]]);
    expect(() => a.emit([1])).toThrow(NodeError);
  });

  it.each([
    [[], [0, 1, 2, 3, 4, 5]],
    [[undefined, undefined, undefined], [0, 1, 2, 3, 4, 5]],
    [[1, undefined, undefined], [1, 2, 3, 4, 5]],
    [[undefined, 4, undefined], [0, 1, 2, 3]],
    [[undefined, 4, 2], [0, 2]],
    [[3, 1, undefined], []],
  ] as [(number | undefined)[], number[]][])('test_slice %j', (pars, expected) => {
    const a = new Stream<number>();
    const out = a.slice(...pars).sinkToList();
    for (let i = 0; i < 6; i++) a.emit(i);
    expect(out).toEqual(expected);
  });

  it('test_slice_err', () => {
    const a = new Stream<number>();
    expect(() => a.slice(undefined, -1)).toThrow(RangeError);
  });

  it('test_map_errors_raises', () => {
    const a = new Stream<number>();
    a.map((x) => {
      if (x === 0) throw new RangeError('division by zero');
      return 1 / x;
    });
    expect(() => a.emit(0)).toThrow(/division by zero/);
  });

  it('test_accumulate_errors_raises', () => {
    const a = new Stream<number>();
    a.accumulate((x, y) => {
      if (y === 0) throw new RangeError('division by zero');
      return x / y;
    });
    expect(() => {
      a.emit(1);
      a.emit(0);
    }).toThrow(/division by zero/);
  });
});
