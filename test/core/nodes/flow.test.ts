import { describe, expect, it } from 'vitest';
import { BufferNode, LatestNode, RefCounter, Stream, VirtualClock } from './streamframe.js';
import { tick } from '../../fixtures/wait.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A sink that holds every element until the test lets it go. */
function slowSink<T>(s: Stream<T>) {
  const started: T[] = [];
  const gates: (() => void)[] = [];
  s.sink((x) => {
    started.push(x);
    const d = deferred();
    gates.push(d.resolve);
    return d.promise;
  });
  return { started, release: (i: number) => gates[i]() };
}

describe('buffer', () => {
  it('passes elements on asynchronously, in order', async () => {
    const s = new Stream<number>();
    const b = s.buffer(10) as BufferNode<number>;
    const out = b.sinkToList();
    for (let i = 0; i < 5; i++) expect(s.emit(i)).toBeUndefined();
    expect(out).toEqual([]); // nothing synchronously
    expect(b.busy).toBe(true);
    await b.idle();
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(b.busy).toBe(false);
  });

  it('the emit returns a promise when the buffer is full, resolved when there is room', async () => {
    // As streamz: buffer(2) holds two elements besides the one the busy sink is working on.
    const s = new Stream<number>();
    const b = s.buffer(2);
    const { started, release } = slowSink(b);
    expect(s.emit(1)).toBeUndefined();
    await tick();
    expect(started).toEqual([1]); // 1 left the buffer, the sink is busy with it
    expect(s.emit(2)).toBeUndefined();
    expect(s.emit(3)).toBeUndefined();
    const r4 = s.emit(4);
    expect(r4).toBeInstanceOf(Promise);
    let resolved = false;
    void (r4 as Promise<unknown>).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    release(0);
    await tick();
    expect(resolved).toBe(true);
    expect(started).toEqual([1, 2]);
    release(1);
    await tick();
    expect(started).toEqual([1, 2, 3]);
    release(2);
    await tick();
    release(3);
    await b.idle();
    expect(started).toEqual([1, 2, 3, 4]);
  });

  it('holds references until elements have been pushed on', async () => {
    const s = new Stream<number>();
    const b = s.buffer(5);
    const { release } = slowSink(b);
    let done = 0;
    s.emit(1, [{ ref: new RefCounter(() => done++) }]);
    await tick();
    expect(done).toBe(0);
    release(0);
    await b.idle();
    expect(done).toBe(1);
  });
});

describe('latest', () => {
  it('with a slow async sink, drops the intermediate elements and delivers the newest', async () => {
    const s = new Stream<number>();
    const l = s.latest() as LatestNode<number>;
    const { started, release } = slowSink(l);
    expect(s.emit(1)).toBeUndefined();
    await tick();
    expect(started).toEqual([1]);
    const dropped: number[] = [];
    for (const x of [2, 3, 4]) expect(s.emit(x, [{ ref: new RefCounter(() => dropped.push(x)) }])).toBeUndefined();
    expect(dropped).toEqual([2, 3]); // replaced ones are released at once
    release(0);
    await tick();
    expect(started).toEqual([1, 4]);
    release(1);
    await l.idle();
    expect(dropped).toEqual([2, 3, 4]);
    s.emit(5);
    await tick();
    expect(started).toEqual([1, 4, 5]);
    release(2);
    await l.idle();
  });

  it('with a fast sink every element arrives', async () => {
    const s = new Stream<number>();
    const l = s.latest();
    const out = l.sinkToList();
    s.emit(1);
    await l.idle();
    s.emit(2);
    await l.idle();
    expect(out).toEqual([1, 2]);
  });
});

describe('rateLimit', () => {
  it('passes the first at once and spaces the rest; the emitter waits', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const out = s.rateLimit(100).sinkToList();
    expect(s.emit(1)).toBeUndefined();
    expect(out).toEqual([1]);
    const r2 = s.emit(2);
    expect(r2).toBeInstanceOf(Promise);
    await clock.advance(99);
    expect(out).toEqual([1]);
    await clock.advance(1);
    await r2;
    expect(out).toEqual([1, 2]);
  });
});

describe('delay', () => {
  it('emits each element ms after it arrived, in order, without blocking the emitter', async () => {
    const clock = new VirtualClock();
    const s = new Stream<string>({ clock });
    const d = s.delay(100);
    const out = d.sinkToList();
    expect(s.emit('a')).toBeUndefined();
    await clock.advance(30);
    expect(s.emit('b')).toBeUndefined();
    expect(d.busy).toBe(true);
    await clock.advance(69); // t = 99
    expect(out).toEqual([]);
    await clock.advance(1); // t = 100
    expect(out).toEqual(['a']);
    await clock.advance(29); // t = 129
    expect(out).toEqual(['a']);
    await clock.advance(1); // t = 130
    expect(out).toEqual(['a', 'b']);
    expect(d.busy).toBe(false);
  });
});
