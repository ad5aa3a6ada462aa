import { describe, expect, expectTypeOf, it } from 'vitest';
import { accumulate, filter, map, partition, pipe, RefCounter, slice, Stream, unique, VirtualClock } from './streamframe.js';

describe('fan-out', () => {
  it('one stream feeds two branches, each element to both in connection order', () => {
    const s = new Stream<number>();
    const order: string[] = [];
    const a = s.map((x) => x + 1);
    const b = s.map((x) => x * 10);
    a.sink((x) => order.push(`a${x}`));
    b.sink((x) => order.push(`b${x}`));
    s.emit(1);
    s.emit(2);
    expect(order).toEqual(['a2', 'b10', 'a3', 'b20']);
  });

  it('returns a promise if any branch is asynchronous, settled when all are', async () => {
    const s = new Stream<number>();
    const sync = s.sinkToList();
    let finish!: () => void;
    s.sink(() => new Promise<void>((r) => (finish = r)));
    const r = s.emit(1);
    expect(r).toBeInstanceOf(Promise);
    expect(sync).toEqual([1]);
    let done = false;
    void (r as Promise<unknown>).then(() => (done = true));
    await new Promise((res) => setImmediate(res));
    expect(done).toBe(false);
    finish();
    await r;
    expect(done).toBe(true);
  });

  it('a reference is released once every branch is done', () => {
    const s = new Stream<number>();
    const p1 = s.partition(2);
    s.sinkToList();
    let done = 0;
    s.emit(1, [{ ref: new RefCounter(() => done++) }]);
    expect(done).toBe(0); // held by the partition
    p1.sinkToList();
    s.emit(2);
    expect(done).toBe(1);
  });

  it('filter dropping an element releases it', () => {
    const s = new Stream<number>();
    const out = s.filter((x) => x > 5).sinkToList();
    let done = 0;
    s.emit(1, [{ ref: new RefCounter(() => done++) }]);
    expect(done).toBe(1);
    expect(out).toEqual([]);
  });
});

describe('connect / disconnect / destroy', () => {
  it('connect links a downstream; disconnect unlinks it', () => {
    const s = new Stream<number>();
    const j = new Stream<number>();
    const out = j.sinkToList();
    s.emit(0);
    s.connect(j);
    expect(s.downstreams).toEqual([j]);
    expect(j.upstreams).toEqual([s]);
    s.emit(1);
    s.disconnect(j);
    expect(s.downstreams).toEqual([]);
    expect(j.upstreams).toEqual([]);
    s.emit(2);
    expect(out).toEqual([1]);
  });

  it('a node connected to two upstreams receives from both', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const j = new Stream<number>();
    a.connect(j);
    b.connect(j);
    const out = j.sinkToList();
    a.emit(1);
    b.emit(2);
    expect(out).toEqual([1, 2]);
  });

  it('destroy disconnects from every upstream and cancels its timers', async () => {
    const clock = new VirtualClock();
    const a = new Stream<number>({ clock });
    const b = new Stream<number>({ clock });
    const w = a.union(b).timedWindow(100);
    const out = w.sinkToList();
    a.emit(1);
    expect(clock.pendingTimers).toBe(1);
    const u = w.upstreams[0];
    w.destroy();
    expect(w.upstreams).toEqual([]);
    expect(u.downstreams).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(500);
    a.emit(2);
    expect(out).toEqual([]);
  });

  it('destroying a middle node cuts the chain below it', () => {
    const s = new Stream<number>();
    const m = s.map((x) => x * 2);
    const out = m.sinkToList();
    s.emit(1);
    m.destroy();
    s.emit(2);
    expect(out).toEqual([2]);
    expect(s.downstreams).toEqual([]);
  });

  it('nodes inherit the clock of their first upstream', () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    expect(s.map((x) => x).filter().clock).toBe(clock);
  });
});

describe('pipe', () => {
  it('pipe(...) composes operators into one, typed', () => {
    const op = pipe(
      map((x: number) => x * 2),
      filter((x: number) => x % 3 !== 0),
      unique<number>(),
      partition<number>(2),
    );
    const s = new Stream<number>();
    const p = op(s);
    expectTypeOf(p).toEqualTypeOf<Stream<number[]>>();
    const out = p.sinkToList();
    for (const x of [1, 2, 3, 1, 4, 5]) s.emit(x);
    // doubled 2,4,6,2,8,10; drop multiples of 3 -> 2,4,2,8,10; unique -> 2,4,8,10
    expect(out).toEqual([
      [2, 4],
      [8, 10],
    ]);
  });

  it('stream.pipe(...) applies operators in reading order', () => {
    const s = new Stream<number>();
    const p = s.pipe(
      slice<number>(1),
      accumulate((acc: number, x: number) => acc + x, { start: 100 }),
      map((x: number) => `=${x}`),
    );
    expectTypeOf(p).toEqualTypeOf<Stream<string>>();
    const out = p.sinkToList();
    for (const x of [1, 2, 3]) s.emit(x);
    expect(out).toEqual(['=102', '=105']);
  });

  it('a composed operator is reusable on several streams', () => {
    const op = pipe(map((x: number) => x + 1));
    const a = new Stream<number>();
    const b = new Stream<number>();
    const oa = a.pipe(op).sinkToList();
    const ob = b.pipe(op).sinkToList();
    a.emit(1);
    b.emit(10);
    expect(oa).toEqual([2]);
    expect(ob).toEqual([11]);
  });
});
