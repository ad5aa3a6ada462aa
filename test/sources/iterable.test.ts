import { describe, expect, it } from 'vitest';
import { IterableSource, Stream } from '../core/nodes/streamframe.js';
import { tick } from '../fixtures/wait.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Stream.fromIterable', () => {
  it('emits every item of an array once started', async () => {
    const src = Stream.fromIterable([1, 2, 3]);
    expect(src).toBeInstanceOf(IterableSource);
    const out = src.map((x) => x * 2).sinkToList();
    expect(out).toEqual([]); // nothing before start
    await src.start();
    expect(out).toEqual([2, 4, 6]);
    expect(src.position()).toBe(3);
  });

  it('emits the items of any iterable (a generator)', async () => {
    function* gen() {
      yield 'a';
      yield 'b';
    }
    const src = Stream.fromIterable(gen());
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(['a', 'b']);
    expect(src.position()).toBe(2);
  });

  it('start() resolves only after asynchronous nodes have drained', async () => {
    const src = Stream.fromIterable([1, 2, 3, 4, 5]);
    const out = src
      .buffer(10)
      .mapAsync(async (x) => {
        await tick();
        return x * 10;
      }, { concurrency: 2 })
      .sinkToList();
    await src.start();
    expect(out).toEqual([10, 20, 30, 40, 50]);
  });

  it('start() twice returns the same run', async () => {
    const src = Stream.fromIterable([1]);
    const out = src.sinkToList();
    const p1 = src.start();
    const p2 = src.start();
    expect(p2).toBe(p1);
    await p1;
    expect(out).toEqual([1]);
  });

  it('backpressure: waits for an asynchronous downstream before the next item', async () => {
    const src = Stream.fromIterable([1, 2, 3]);
    const started: number[] = [];
    const gates: (() => void)[] = [];
    src.sink((x) => {
      started.push(x);
      const d = deferred();
      gates.push(d.resolve);
      return d.promise;
    });
    let finished = false;
    const run = src.start().then(() => (finished = true));
    await tick();
    expect(started).toEqual([1]);
    expect(src.position()).toBe(0); // 1 is still in flight: a restart would read it again
    gates[0]();
    await tick();
    expect(started).toEqual([1, 2]);
    gates[1]();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    expect(finished).toBe(false);
    gates[2]();
    await run;
    expect(finished).toBe(true);
  });

  it('position counts only settled items (the one in flight is not counted); seek before start resumes there', async () => {
    const items = ['a', 'b', 'c', 'd'];
    const positions: number[] = [];
    const src = Stream.fromIterable(items);
    src.sink(() => void positions.push(src.position()));
    await src.start();
    expect(positions).toEqual([0, 1, 2, 3]);
    expect(src.position()).toBe(4);

    const again = Stream.fromIterable(items);
    const out = again.sinkToList();
    again.seek(2);
    expect(again.position()).toBe(2);
    await again.start();
    expect(out).toEqual(['c', 'd']);
    expect(again.position()).toBe(4);
  });

  it('seek on a plain iterable skips the items already emitted', async () => {
    const src = Stream.fromIterable(new Set([10, 20, 30, 40]));
    const out = src.sinkToList();
    src.seek(3);
    await src.start();
    expect(out).toEqual([40]);
    expect(src.position()).toBe(4);
  });

  it('seek rejects invalid positions', () => {
    const src = Stream.fromIterable([1]);
    expect(() => src.seek(-1)).toThrow(RangeError);
    expect(() => src.seek(1.5)).toThrow(RangeError);
  });

  it('stop() ends the run after the current element', async () => {
    const src = Stream.fromIterable([1, 2, 3, 4, 5]);
    const out: number[] = [];
    src.sink((x) => {
      out.push(x);
      if (x === 2) src.stop();
    });
    await src.start();
    expect(out).toEqual([1, 2]);
    expect(src.position()).toBe(2);
  });

  it('an error in a node rejects start()', async () => {
    const src = Stream.fromIterable([1, 2, 3]);
    src.map((x) => {
      if (x === 2) throw new Error('two');
      return x;
    });
    await expect(src.start()).rejects.toThrow(/two/);
    expect(src.position()).toBe(1); // the failed element is read again after a restart
  });

  it('an error in an asynchronous node rejects start()', async () => {
    const src = Stream.fromIterable([1, 2, 3]);
    src.mapAsync(async (x) => {
      if (x === 3) throw new Error('three');
      return x;
    }, { concurrency: 4 });
    await expect(src.start()).rejects.toThrow(/three/);
  });

  it('a long synchronous run lets timers and I/O run now and then', async () => {
    const n = 300_000;
    const src = Stream.fromIterable({ *[Symbol.iterator]() { for (let i = 0; i < n; i++) yield i; } });
    let count = 0;
    src.sink(() => {
      count++;
      // make the run last well over the source's 10 ms yield interval on any machine
      if (count % 10_000 === 0) for (const t = performance.now(); performance.now() - t < 1; );
    });
    const countsSeenByTheLoop: number[] = [];
    const spin = () => {
      countsSeenByTheLoop.push(count);
      if (count < n) setImmediate(spin);
    };
    setImmediate(spin);
    await src.start();
    expect(count).toBe(n);
    // the event loop got a turn in the middle of the run, not only before or after it
    expect(countsSeenByTheLoop.some((c) => c > 0 && c < n)).toBe(true);
  });
});

describe('Stream.fromAsyncIterable', () => {
  it('emits the items of an async generator and resolves at its end', async () => {
    async function* gen() {
      for (let i = 0; i < 3; i++) {
        await tick();
        yield i;
      }
    }
    const src = Stream.fromAsyncIterable(gen());
    const out = src.map((x) => x + 1).sinkToList();
    await src.start();
    expect(out).toEqual([1, 2, 3]);
  });

  it('waits for an asynchronous downstream and drains it', async () => {
    async function* gen() {
      yield 'a';
      yield 'b';
    }
    const src = Stream.fromAsyncIterable(gen());
    const log: string[] = [];
    src.sink(async (x) => {
      log.push(`start ${x}`);
      await tick();
      log.push(`end ${x}`);
    });
    await src.start();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('stop() ends an endless async iterable', async () => {
    async function* forever() {
      for (let i = 0; ; i++) {
        await tick();
        yield i;
      }
    }
    const src = Stream.fromAsyncIterable(forever());
    const out: number[] = [];
    src.sink((x) => {
      out.push(x);
      if (x === 3) src.stop();
    });
    await src.start();
    expect(out).toEqual([0, 1, 2, 3]);
  });
});
