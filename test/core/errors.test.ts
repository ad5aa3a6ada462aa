import { describe, expect, it, vi } from 'vitest';
import { NodeError, RefCounter, setLogger, jsonLogger, Stream, VirtualClock, type DeadLetter } from '../../src/index.js';

const failOn = (bad: number) => (x: number) => {
  if (x === bad) throw new Error(`bad ${x}`);
  return x * 10;
};

describe('error policies', () => {
  it('raise (default): the emit throws a NodeError naming the node and the element', () => {
    const s = new Stream<number>();
    s.map(failOn(2)).name('times10').sink(() => {});
    s.emit(1);
    let err: unknown;
    try {
      s.emit(2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).nodeId).toBe('times10');
    expect((err as NodeError).element).toBe(2);
    expect((err as NodeError).message).toMatch(/times10.*2.*bad 2/);
  });

  it('raise names the failing node by its generated id when unnamed', () => {
    const s = new Stream<number>();
    s.map((x) => x).filter(() => {
      throw new Error('nope');
    });
    expect(() => s.emit(1)).toThrow(/node filter-0 failed/);
  });

  it('skip: logs, drops, releases and goes on', () => {
    const logs: string[] = [];
    setLogger({ log: (level, message, fields) => logs.push(`${level} ${message} ${fields?.nodeId}`) });
    try {
      const done: number[] = [];
      const s = new Stream<number>();
      const out = s.map(failOn(2)).name('m').onError('skip').sinkToList();
      for (const x of [1, 2, 3]) s.emit(x, [{ ref: new RefCounter(() => done.push(x)) }]);
      expect(out).toEqual([10, 30]);
      expect(done).toEqual([1, 2, 3]);
      expect(logs).toEqual(['warn skipped element after error m']);
    } finally {
      setLogger(jsonLogger());
    }
  });

  it('dead letter: the failing element goes to the dead-letter stream with the error and node id', () => {
    const dead = new Stream<DeadLetter>();
    const letters = dead.sinkToList();
    const s = new Stream<number>();
    const out = s.map(failOn(2)).name('m').onError({ deadLetter: dead }).sinkToList();
    [1, 2, 3].forEach((x) => s.emit(x));
    expect(out).toEqual([10, 30]);
    expect(letters).toHaveLength(1);
    expect(letters[0].element).toBe(2);
    expect(letters[0].nodeId).toBe('m');
    expect(String(letters[0].error)).toMatch(/bad 2/);
  });

  it('dead letter: references are held until the dead-letter branch is done with the element', async () => {
    const dead = new Stream<DeadLetter>();
    let ack!: () => void;
    dead.sink(() => new Promise<void>((r) => (ack = r)));
    const s = new Stream<number>();
    s.map(failOn(1)).onError({ deadLetter: dead }).sink(() => {});
    const done: number[] = [];
    const r = s.emit(1, [{ ref: new RefCounter(() => done.push(1)) }]);
    expect(done).toEqual([]);
    ack();
    await r;
    expect(done).toEqual([1]);
  });

  it('retry with backoff on the clock, then succeed', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const s = new Stream<number>({ clock });
    const out = s
      .map((x) => {
        if (++calls < 3) throw new Error('flaky');
        return x;
      })
      .onError({ retry: 5, backoffMs: 100 })
      .sinkToList();
    const r = s.emit(7);
    expect(r).toBeInstanceOf(Promise);
    await clock.advance(99);
    expect(calls).toBe(1);
    await clock.advance(1); // first retry at 100 ms
    expect(calls).toBe(2);
    await clock.advance(200); // second retry after a doubled backoff
    await r;
    expect(calls).toBe(3);
    expect(out).toEqual([7]);
  });

  it('retry gives up after the attempts and falls back to the final policy', async () => {
    const clock = new VirtualClock();
    const dead = new Stream<DeadLetter>();
    const letters = dead.sinkToList();
    const s = new Stream<number>({ clock });
    s.map(failOn(1)).onError({ retry: 2, backoffMs: 10, then: { deadLetter: dead } }).sink(() => {});
    const r = s.emit(1);
    await clock.advance(1000);
    await r;
    expect(letters.map((l) => l.element)).toEqual([1]);

    const t = new Stream<number>({ clock });
    t.map(failOn(1)).onError({ retry: 1, backoffMs: 10 }).sink(() => {});
    const r2 = t.emit(1) as Promise<unknown>;
    const settled = expect(r2).rejects.toBeInstanceOf(NodeError);
    await clock.advance(100);
    await settled;
  });

  it('an error in a background timer is kept and surfaces on the next element and in idle()', async () => {
    const clock = new VirtualClock();
    const spy = vi.fn();
    setLogger({ log: spy });
    try {
      const s = new Stream<number>({ clock });
      const w = s.timedWindow(10);
      w.map(() => {
        throw new Error('late');
      });
      s.emit(1);
      await clock.advance(10);
      expect(spy).toHaveBeenCalledWith('error', 'node failed in the background', expect.anything());
      expect(() => s.emit(2)).toThrow(/late/);
      await expect(w.idle()).rejects.toThrow(/late/);
    } finally {
      setLogger(jsonLogger());
    }
  });
});
