// Ports of streamz/tests/test_core.py: zip, zipLatest, combineLatest, and connect/disconnect on
// them. Expected values confirmed with streamz 0.6.4.
import { describe, expect, it } from 'vitest';
import { RefCounter, Stream } from '../core/nodes/streamframe.js';
import { tick } from '../fixtures/wait.js';
import { metadata } from './helpers.js';

const ref = () => new RefCounter();

describe('streamz test_core: zip', () => {
  it('test_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const L = a.zip(b).sinkToList();
    a.emit(1);
    b.emit('a');
    a.emit(2);
    b.emit('b');
    expect(L).toEqual([[1, 'a'], [2, 'b']]);
    const d = new Stream<number>();
    const L2 = a.zip(b, d).sinkToList();
    a.emit(1);
    b.emit('2');
    d.emit(3);
    expect(L2).toEqual([[1, '2', 3]]);
  });

  it('test_zip_literals', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = a.zip(123, b);
    const L = c.sinkToList();
    a.emit(1);
    b.emit(2);
    expect(L).toEqual([[1, 123, 2]]);
    a.emit(4);
    b.emit(5);
    expect(L).toEqual([[1, 123, 2], [4, 123, 5]]);
  });

  it('test_zip_same', () => {
    const a = new Stream<number>();
    const L = a.zip(a).sinkToList();
    a.emit(1);
    a.emit(2);
    expect(L).toEqual([[1, 1], [2, 2]]);
  });

  it('test_zip_timeout', async () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const L = a.zip(b, { maxsize: 2 }).sinkToList();
    a.emit(1);
    a.emit(2);
    const future = a.emit(3);
    expect(future).toBeInstanceOf(Promise);
    let settled = false;
    void (future as Promise<unknown>).then(() => (settled = true));
    await tick();
    expect(settled).toBe(false); // the fast input waits for room
    b.emit('a');
    await future;
    expect(L).toEqual([[1, 'a']]);
  });

  it('test_zip_ref_counts', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.zip(b);
    const ref1 = ref();
    a.emit(1, [{ ref: ref1 }]);
    expect(ref1.count).toBe(1);
    const ref2 = ref();
    a.emit(2, [{ ref: ref2 }]);
    expect(ref1.count).toBe(1);
    expect(ref2.count).toBe(1);
    const ref3 = ref();
    b.emit(3, [{ ref: ref3 }]);
    expect(ref1.count).toBe(0);
    expect(ref2.count).toBe(1);
    expect(ref3.count).toBe(0);
  });

  it('test_zip_metadata', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const L = metadata(a.zip(b)).sinkToList();
    a.emit(1, [{ v: 1 }]);
    b.emit(2, [{ v: 2 }]);
    a.emit(3);
    b.emit(4, [{ v: 4 }]);
    expect(L).toEqual([[{ v: 1 }, { v: 2 }], [{ v: 4 }]]);
  });

  it('test_connect_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.zip(b);
    const L = x.sinkToList();
    c.connect(x as Stream<any>);
    a.emit(1);
    b.emit(1);
    expect(L).toEqual([]);
    c.emit(1);
    expect(L).toEqual([[1, 1, 1]]);
  });

  it('test_disconnect_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.zip(b, c);
    const L = x.sinkToList();
    b.disconnect(x as Stream<any>);
    a.emit(1);
    b.emit(1);
    expect(L).toEqual([]);
    c.emit(1);
    expect(L).toEqual([[1, 1]]);
  });
});

describe('streamz test_core: combineLatest', () => {
  it('test_combine_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = a.combineLatest(b);
    const d = a.combineLatest(b, { emitOn: [a, b] });
    const L = c.sinkToList();
    const L2 = d.sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    a.emit(3);
    b.emit('b');
    expect(L).toEqual([[2, 'a'], [3, 'a'], [3, 'b']]);
    expect(L2).toEqual([[2, 'a'], [3, 'a'], [3, 'b']]);
  });

  const emitOnCases: [string, (a: Stream<number>) => Stream<any> | number][] = [
    ['test_combine_latest_emit_on', (a) => a],
    ['test_combine_latest_emit_on_stream', () => 0],
  ];
  it.each(emitOnCases)('%s', (_, emitOn) => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const L = a.combineLatest(b, { emitOn: emitOn(a) }).sinkToList();
    a.emit(1);
    b.emit('a');
    a.emit(2);
    a.emit(3);
    b.emit('b');
    a.emit(4);
    expect(L).toEqual([[2, 'a'], [3, 'a'], [4, 'b']]);
  });

  it('test_combine_latest_ref_counts', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.combineLatest(b);
    const ref1 = ref();
    a.emit(1, [{ ref: ref1 }]);
    expect(ref1.count).toBe(1);
    const ref2 = ref();
    a.emit(2, [{ ref: ref2 }]); // the new value kicks out the old one
    expect(ref1.count).toBe(0);
    expect(ref2.count).toBe(1);
    const ref3 = ref();
    b.emit(3, [{ ref: ref3 }]);
    expect(ref2.count).toBe(1);
    expect(ref3.count).toBe(1);
  });

  it('test_combine_latest_metadata', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const L = metadata(a.combineLatest(b)).sinkToList();
    a.emit(1, [{ v: 1 }]);
    b.emit(2, [{ v: 2 }]);
    b.emit(3);
    b.emit(4, [{ v: 4 }]);
    expect(L).toEqual([[{ v: 1 }, { v: 2 }], [{ v: 1 }], [{ v: 1 }, { v: 4 }]]);
  });

  it('test_connect_combine_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, { emitOn: a });
    const L = x.sinkToList();
    c.connect(x as Stream<any>);
    b.emit(1);
    c.emit(1);
    a.emit(1);
    expect(L).toEqual([[1, 1, 1]]);
  });

  it('test_connect_discombine_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, c, { emitOn: a });
    const L = x.sinkToList();
    c.disconnect(x as Stream<any>);
    b.emit(1);
    c.emit(1);
    a.emit(1);
    expect(L).toEqual([[1, 1]]);
  });

  it('test_execution_order', () => {
    // The order downstreams were connected in decides which combineLatest input updates first.
    const run = (plucksInOrder: boolean) => {
      const s = new Stream<[number, string]>();
      let a: Stream<number>, b: Stream<string>;
      if (plucksInOrder) {
        a = s.pluck(0);
        b = s.pluck(1);
      } else {
        b = s.pluck(1);
        a = s.pluck(0);
      }
      const li = a.combineLatest(b, { emitOn: a }).sinkToList();
      for (const z of [[1, 'red'], [2, 'blue'], [3, 'green']] as [number, string][]) s.emit(z);
      return li;
    };
    const L = [0, 1, 2, 3, 4].map(() => run(false));
    for (const l of L) expect(l).toEqual(L[0]);
    const L2 = [0, 1, 2, 3, 4].map(() => run(true));
    for (const l of L2) expect(l).toEqual(L2[0]);
    expect(L2[0]).not.toEqual(L[0]);
    expect(L[0]).toEqual([[1, 'red'], [2, 'blue'], [3, 'green']]);
    expect(L2[0]).toEqual([[2, 'red'], [3, 'blue']]);
  });
});

describe('streamz test_core: zipLatest', () => {
  it('test_zip_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const L = a.zipLatest(b).sinkToList();
    const L2 = a.combineLatest(b, { emitOn: a }).sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    b.emit('b');
    a.emit(3);
    expect(L).toEqual([[1, 'a'], [2, 'a'], [3, 'b']]);
    expect(L2).toEqual([[3, 'b']]);
  });

  it('test_zip_latest_reverse', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const L = a.zipLatest(b).sinkToList();
    b.emit('a');
    a.emit(1);
    a.emit(2);
    a.emit(3);
    b.emit('b');
    a.emit(4);
    expect(L).toEqual([[1, 'a'], [2, 'a'], [3, 'a'], [4, 'b']]);
  });

  it('test_triple_zip_latest', () => {
    const s1 = new Stream<number>();
    const s2 = new Stream<string>();
    const s3 = new Stream<string>();
    const L = s1.zipLatest(s2, s3).sinkToList();
    s1.emit(1);
    s2.emit('I');
    s2.emit('II');
    s1.emit(2);
    s2.emit('III');
    s3.emit('a');
    s3.emit('b');
    s1.emit(3);
    expect(L).toEqual([[1, 'III', 'a'], [2, 'III', 'a'], [3, 'III', 'b']]);
  });

  it('test_zip_latest_ref_counts', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.zipLatest(b);
    const ref1 = ref();
    a.emit(1, [{ ref: ref1 }]);
    expect(ref1.count).toBe(1); // retained until b has a value
    const ref2 = ref();
    b.emit(2, [{ ref: ref2 }]);
    expect(ref1.count).toBe(0);
    expect(ref2.count).toBe(1);
    const ref3 = ref();
    b.emit(3, [{ ref: ref3 }]);
    expect(ref2.count).toBe(0);
    expect(ref3.count).toBe(1);
    const ref4 = ref();
    a.emit(3, [{ ref: ref4 }]);
    expect(ref3.count).toBe(1);
    expect(ref4.count).toBe(0);
  });

  it('test_zip_latest_metadata', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const L = metadata(a.zipLatest(b)).sinkToList();
    a.emit(1, [{ v: 1 }]);
    b.emit(2, [{ v: 2 }]);
    a.emit(3);
    b.emit(4, [{ v: 4 }]);
    expect(L).toEqual([[{ v: 1 }, { v: 2 }], [{ v: 2 }]]);
  });
});
