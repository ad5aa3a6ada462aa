import { describe, expect, it } from 'vitest';
import { RefCounter, Stream, VirtualClock } from '../nodes/streamframe.js';

describe('timedWindow', () => {
  it('nothing ticks before the first element', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const out = s.timedWindow(100).sinkToList();
    await clock.advance(1000);
    expect(out).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('emits every interval from the first element, empty windows included', async () => {
    const clock = new VirtualClock(1000);
    const s = new Stream<number>({ clock });
    const out = s.timedWindow(100).sinkToList();
    s.emit(1); // t = 1000: the window runs to 1100
    await clock.advance(50);
    s.emit(2);
    await clock.advance(49); // t = 1099
    expect(out).toEqual([]);
    await clock.advance(1); // t = 1100
    expect(out).toEqual([[1, 2]]);
    await clock.advance(100); // t = 1200
    expect(out).toEqual([[1, 2], []]);
    await clock.advance(50);
    s.emit(3);
    s.emit(4);
    await clock.advance(50); // t = 1300
    expect(out).toEqual([[1, 2], [], [3, 4]]);
    await clock.advance(250); // t = 1550: two more empty windows
    expect(out).toEqual([[1, 2], [], [3, 4], [], []]);
  });

  it('an element arriving exactly at a tick goes to the next window', async () => {
    const clock = new VirtualClock();
    const s = new Stream<string>({ clock });
    const out = s.timedWindow(10).sinkToList();
    s.emit('a');
    await clock.advance(10);
    s.emit('b');
    await clock.advance(10);
    expect(out).toEqual([['a'], ['b']]);
  });

  it('holds references until the window is emitted', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    s.timedWindow(100).sinkToList();
    let done = 0;
    s.emit(1, [{ ref: new RefCounter(() => done++) }]);
    await clock.advance(99);
    expect(done).toBe(0);
    await clock.advance(1);
    expect(done).toBe(1);
  });

  it('with an asynchronous downstream the next interval starts after the window was delivered', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const w = s.timedWindow(100);
    const seen: [number, number[]][] = [];
    w.delay(30).sink((x) => seen.push([clock.now(), x]));
    s.emit(1);
    await clock.advance(100);
    expect(seen).toEqual([]);
    await clock.advance(30);
    expect(seen).toEqual([[130, [1]]]);
  });

  it('destroyed while a window is being delivered asynchronously, it stops ticking', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const w = s.timedWindow(100);
    const seen: number[][] = [];
    let release!: () => void;
    w.sink((x) => {
      seen.push(x);
      return new Promise<void>((r) => (release = r));
    });
    s.emit(1);
    await clock.advance(100);
    expect(seen).toEqual([[1]]);
    w.destroy();
    release();
    await clock.advance(1000);
    expect(seen).toEqual([[1]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a non-positive interval', () => {
    expect(() => new Stream<number>().timedWindow(0)).toThrow(RangeError);
  });
});

describe('timedWindowUnique', () => {
  it('keep first (default): one element per value per window', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const out = s.timedWindowUnique(100).sinkToList();
    for (const x of [1, 2, 1, 3, 2]) s.emit(x);
    await clock.advance(100);
    s.emit(1);
    await clock.advance(100);
    await clock.advance(100);
    expect(out).toEqual([[1, 2, 3], [1], []]);
  });

  it('keep last with a key: the newest element per key, moved to the end', async () => {
    const clock = new VirtualClock();
    const s = new Stream<{ id: string; v: number }>({ clock });
    const out = s.timedWindowUnique(50, { key: 'id', keep: 'last' }).sinkToList();
    s.emit({ id: 'a', v: 1 });
    s.emit({ id: 'b', v: 2 });
    s.emit({ id: 'a', v: 3 });
    await clock.advance(50);
    expect(out).toEqual([
      [
        { id: 'b', v: 2 },
        { id: 'a', v: 3 },
      ],
    ]);
  });

  it('keep first with a key function', async () => {
    const clock = new VirtualClock();
    const s = new Stream<string>({ clock });
    const out = s.timedWindowUnique(50, { key: (x) => x[0] }).sinkToList();
    for (const x of ['a1', 'b1', 'a2', 'c1', 'b2']) s.emit(x);
    await clock.advance(50);
    expect(out).toEqual([['a1', 'b1', 'c1']]);
  });
});
