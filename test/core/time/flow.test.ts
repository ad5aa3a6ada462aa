import { describe, expect, it } from 'vitest';
import { Stream, VirtualClock } from '../nodes/streamframe.js';

describe('delay (each element ms after its arrival)', () => {
  it('keeps the spacing of a burst and of later elements', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const seen: [number, number][] = [];
    s.delay(100).sink((x) => seen.push([clock.now(), x]));
    s.emit(1);
    s.emit(2);
    await clock.advance(10);
    s.emit(3);
    await clock.advance(300);
    s.emit(4);
    await clock.advance(100);
    expect(seen).toEqual([
      [100, 1],
      [100, 2],
      [110, 3],
      [410, 4],
    ]);
  });

  it('idle() resolves once every delayed element has left', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const d = s.delay(50);
    const out = d.sinkToList();
    s.emit(1);
    let idle = false;
    void d.idle().then(() => (idle = true));
    await clock.advance(49);
    expect(idle).toBe(false);
    await clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(true);
    expect(out).toEqual([1]);
  });

  it('destroy cancels pending deliveries', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const d = s.delay(50);
    const out = d.sinkToList();
    s.emit(1);
    d.destroy();
    await clock.advance(100);
    expect(out).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('rateLimit', () => {
  it('elements emitted at once leave one interval apart, in order', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const seen: [number, number][] = [];
    s.rateLimit(100).sink((x) => seen.push([clock.now(), x]));
    const rs = [1, 2, 3].map((x) => s.emit(x));
    expect(rs[0]).toBeUndefined();
    expect(rs[1]).toBeInstanceOf(Promise);
    expect(rs[2]).toBeInstanceOf(Promise);
    await clock.advance(250);
    expect(seen).toEqual([
      [0, 1],
      [100, 2],
      [200, 3],
    ]);
  });

  it('after a quiet period the next element passes at once; too soon it waits', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const seen: [number, number][] = [];
    s.rateLimit(100).sink((x) => seen.push([clock.now(), x]));
    s.emit(1);
    await clock.advance(500);
    expect(s.emit(2)).toBeUndefined(); // t = 500
    await clock.advance(40);
    const r = s.emit(3); // t = 540: waits until 600
    expect(r).toBeInstanceOf(Promise);
    await clock.advance(59);
    expect(seen).toEqual([
      [0, 1],
      [500, 2],
    ]);
    await clock.advance(1);
    await r;
    expect(seen).toEqual([
      [0, 1],
      [500, 2],
      [600, 3],
    ]);
  });

  it('a source awaiting the emit is slowed to the rate', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const seen: [number, number][] = [];
    s.rateLimit(10).sink((x) => seen.push([clock.now(), x]));
    const produced = (async () => {
      for (let i = 0; i < 4; i++) await s.emit(i);
    })();
    await clock.advance(100);
    await produced;
    expect(seen).toEqual([
      [0, 0],
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
  });
});

describe('partition timeout', () => {
  it('each key has its own timer, started by its first element', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const seen: [number, number[]][] = [];
    s.partition(3, { key: (x) => x % 2, timeout: 100 }).sink((x) => seen.push([clock.now(), x]));
    s.emit(0); // even group, due at 100
    await clock.advance(30);
    s.emit(1); // odd group, due at 130
    s.emit(2);
    await clock.advance(70); // t = 100
    expect(seen).toEqual([[100, [0, 2]]]);
    s.emit(4); // new even group, due at 200
    s.emit(3);
    s.emit(5); // odd group full at t = 100
    expect(seen).toEqual([
      [100, [0, 2]],
      [100, [1, 3, 5]],
    ]);
    await clock.advance(100);
    expect(seen).toEqual([
      [100, [0, 2]],
      [100, [1, 3, 5]],
      [200, [4]],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });
});
