import { describe, expect, it } from 'vitest';
import { MapAsyncNode, NodeError, Stream } from './streamframe.js';
import { tick } from '../../fixtures/wait.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A mapAsync whose calls finish only when the test says so. */
function controlled(concurrency: number) {
  const s = new Stream<number>();
  const calls = new Map<number, ReturnType<typeof deferred<string>>>();
  const node = s.mapAsync(
    (x) => {
      const d = deferred<string>();
      calls.set(x, d);
      return d.promise;
    },
    { concurrency },
  ) as MapAsyncNode<number, string>;
  const out = node.sinkToList();
  return { s, node, calls, out };
}

describe('mapAsync', () => {
  it('concurrency 1: one call at a time, the emitter waits for it', async () => {
    const { s, calls, out } = controlled(1);
    const r1 = s.emit(1);
    expect(r1).toBeInstanceOf(Promise);
    await tick();
    expect([...calls.keys()]).toEqual([1]);
    let released = false;
    void (r1 as Promise<unknown>).then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    calls.get(1)!.resolve('one');
    await r1;
    await tick();
    expect(out).toEqual(['one']);
  });

  it('concurrency 3: three calls in flight; the third emit returns a promise', async () => {
    const { s, node, calls, out } = controlled(3);
    expect(s.emit(1)).toBeUndefined();
    expect(s.emit(2)).toBeUndefined();
    const r3 = s.emit(3);
    expect(r3).toBeInstanceOf(Promise);
    await tick();
    expect([...calls.keys()]).toEqual([1, 2, 3]);
    expect(node.busy).toBe(true);
    calls.get(1)!.resolve('a');
    await r3;
    calls.get(2)!.resolve('b');
    calls.get(3)!.resolve('c');
    await node.idle();
    expect(out).toEqual(['a', 'b', 'c']);
    expect(node.busy).toBe(false);
  });

  it('results come out in input order even when later calls finish first', async () => {
    const { s, node, calls, out } = controlled(3);
    s.emit(1);
    s.emit(2);
    void s.emit(3);
    await tick();
    calls.get(3)!.resolve('c');
    calls.get(2)!.resolve('b');
    await tick();
    await tick();
    expect(out).toEqual([]); // 1 still running
    calls.get(1)!.resolve('a');
    await node.idle();
    expect(out).toEqual(['a', 'b', 'c']);
  });

  it('plain (non-promise) results work', async () => {
    const s = new Stream<number>();
    const node = s.mapAsync((x) => x + 1, { concurrency: 2 });
    const out = node.sinkToList();
    s.emit(1);
    await s.emit(2);
    await node.idle();
    expect(out).toEqual([2, 3]);
  });

  it('an error rejects: idle() and the next emit fail with a NodeError', async () => {
    const s = new Stream<number>();
    const node = s.mapAsync(async (x) => {
      if (x === 2) throw new Error('bad 2');
      return x;
    }, { concurrency: 5 });
    const out = node.sinkToList();
    s.emit(1);
    s.emit(2);
    await expect(node.idle()).rejects.toBeInstanceOf(NodeError);
    await expect(node.idle()).rejects.toThrow(/bad 2/);
    expect(() => s.emit(3)).toThrow(NodeError);
    expect(out).toEqual([1]);
  });

  it('an error rejects the emit that is waiting for room', async () => {
    const s = new Stream<number>();
    s.mapAsync(async () => {
      throw new Error('always');
    });
    const r = s.emit(1);
    expect(r).toBeInstanceOf(Promise);
    await expect(r as Promise<unknown>).rejects.toThrow(/always/);
  });

  it('skip policy drops the failed element and goes on', async () => {
    const s = new Stream<number>();
    const node = s
      .mapAsync(async (x) => {
        if (x === 2) throw new Error('bad');
        return x * 10;
      }, { concurrency: 2 })
      .onError('skip');
    const out = node.sinkToList();
    for (const x of [1, 2, 3]) await s.emit(x);
    await node.idle();
    expect(out).toEqual([10, 30]);
  });

  it('rejects concurrency below 1', () => {
    expect(() => new Stream<number>().mapAsync(async (x) => x, { concurrency: 0 })).toThrow(RangeError);
  });
});
