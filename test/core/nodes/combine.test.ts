import { describe, expect, expectTypeOf, it } from 'vitest';
import { RefCounter, Stream, ZipNode } from './streamframe.js';
import { tick } from '../../fixtures/wait.js';

// Expected outputs come from streamz 0.6.4 (its tuples are arrays here).

describe('zip', () => {
  it('pairs elements in order, holding the ones that arrive early', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const z = a.zip(b);
    expectTypeOf(z).toEqualTypeOf<Stream<[number, string]>>();
    const out = z.sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    b.emit('b');
    b.emit('c');
    a.emit(3);
    expect(out).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('three inputs', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const out = a.zip(b, c).sinkToList();
    a.emit(1);
    c.emit(3);
    expect(out).toEqual([]);
    b.emit(2);
    expect(out).toEqual([[1, 2, 3]]);
  });

  it('maxsize: the emit returns a promise when one input runs ahead, resolved when the other catches up', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip(b, { maxsize: 2 }).sinkToList();
    expect(a.emit(1)).toBeUndefined();
    expect(a.emit(2)).toBeUndefined();
    const r = a.emit(3); // three held, more than maxsize
    expect(r).toBeInstanceOf(Promise);
    let resolved = false;
    void (r as Promise<unknown>).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    b.emit(10);
    await tick();
    expect(resolved).toBe(true);
    expect(out).toEqual([[1, 10]]);
    b.emit(20);
    b.emit(30);
    expect(out).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
  });

  it('default maxsize is 10', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.zip(b);
    for (let i = 0; i < 10; i++) expect(a.emit(i)).toBeUndefined();
    expect(a.emit(10)).toBeInstanceOf(Promise);
  });

  it('snapshot/restore keeps the waiting elements', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const z = a.zip(b) as ZipNode<[number, number]>;
    a.emit(1);
    a.emit(2);
    const a2 = new Stream<number>();
    const b2 = new Stream<number>();
    const z2 = a2.zip(b2) as ZipNode<[number, number]>;
    const out = z2.sinkToList();
    z2.restore(JSON.parse(JSON.stringify(z.snapshot())));
    b2.emit(10);
    b2.emit(20);
    expect(out).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('retains references of held elements until their tuple has been emitted', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.zip(b).sinkToList();
    let done = 0;
    const ref = new RefCounter(() => done++);
    a.emit(1, [{ ref }]);
    expect(done).toBe(0);
    expect(ref.count).toBe(1);
    b.emit(2);
    expect(done).toBe(1);
  });
});

describe('zipLatest', () => {
  it('every element of the first stream, with the latest of the others; none of the first is lost', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zipLatest(b).sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    b.emit('b');
    a.emit(3);
    b.emit('c');
    a.emit(4);
    expect(out).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
  });
});

describe('combineLatest', () => {
  it('the latest of each, whenever any emits, once all have', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.combineLatest(b).sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    b.emit('b');
    a.emit(3);
    expect(out).toEqual([
      [2, 'a'],
      [2, 'b'],
      [3, 'b'],
    ]);
  });

  it('emitOn: only elements of the given stream trigger', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.combineLatest(b, { emitOn: a }).sinkToList();
    a.emit(1);
    b.emit('a');
    b.emit('b');
    a.emit(3);
    b.emit('c');
    a.emit(4);
    expect(out).toEqual([
      [3, 'b'],
      [4, 'c'],
    ]);
  });

  it('emitOn a list of streams', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const out = a.combineLatest(b, c, { emitOn: [b, c] }).sinkToList();
    a.emit(1);
    b.emit(2);
    c.emit(3);
    a.emit(4);
    b.emit(5);
    expect(out).toEqual([
      [1, 2, 3],
      [4, 5, 3],
    ]);
  });
});

describe('references held by the latest-of-each nodes', () => {
  it('combineLatest holds each input\'s latest element until it is replaced', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.combineLatest(b).sinkToList();
    const done: string[] = [];
    const ref = (name: string) => [{ ref: new RefCounter(() => done.push(name)) }];
    a.emit(1, ref('a1'));
    b.emit(1, ref('b1'));
    expect(done).toEqual([]);
    a.emit(2, ref('a2'));
    expect(done).toEqual(['a1']);
    b.emit(2, ref('b2'));
    expect(done).toEqual(['a1', 'b1']);
  });

  it('zipLatest releases an element of the first input once its tuple is emitted', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    a.zipLatest(b).sinkToList();
    const done: string[] = [];
    const ref = (name: string) => [{ ref: new RefCounter(() => done.push(name)) }];
    a.emit(1, ref('a1'));
    a.emit(2, ref('a2'));
    expect(done).toEqual([]); // waiting for b
    b.emit(1, ref('b1'));
    expect(done).toEqual(['a1', 'a2']);
    b.emit(2, ref('b2'));
    expect(done).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('union', () => {
  it('merges in arrival order', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const out = a.union(b, c).sinkToList();
    a.emit(1);
    b.emit(2);
    c.emit(3);
    a.emit(4);
    expect(out).toEqual([1, 2, 3, 4]);
  });
});
