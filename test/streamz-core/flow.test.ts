// Ports of streamz/tests/test_core.py (and py3_test_core.py): backpressure, rateLimit, delay,
// buffer, latest, mapAsync, errors in background work. On a VirtualClock where streamz sleeps on
// a tornado loop; elapsed times are virtual milliseconds. Expected values confirmed with streamz 0.6.4.
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, NodeError, RefCounter, setLogger, sleep, Stream, VirtualClock, type Emitted } from '../core/nodes/streamframe.js';
import { BoundedQueue, inc } from './helpers.js';

/** Run `work` while advancing the clock in small steps until it is done; returns the virtual time it took. */
async function timed(clock: VirtualClock, work: () => Promise<void>, step = 1): Promise<number> {
  const start = clock.now();
  let done = false;
  const running = work().finally(() => (done = true));
  while (!done) await clock.advance(step);
  await running;
  return clock.now() - start;
}

/** Five elements with references: each held once right after its emit, all released 50 ms later. */
async function heldThenReleased(clock: VirtualClock, source: Stream<number>): Promise<void> {
  const refs = [0, 1, 2, 3, 4].map((i) => {
    const r = new RefCounter();
    source.emit(i, [{ ref: r }]);
    return r;
  });
  expect(refs.every((r) => r.count === 1)).toBe(true);
  await clock.advance(50);
  expect(refs.every((r) => r.count === 0)).toBe(true);
}

describe('streamz test_core: flow control', () => {
  afterEach(() => setLogger(jsonLogger()));

  it('test_backpressure', async () => {
    const clock = new VirtualClock();
    const q = new BoundedQueue<number>(2);
    const source = new Stream<number>({ clock });
    source.map(inc).accumulate((a, b) => a + b, { start: 0 }).sink((x) => q.put(x));
    void (async () => {
      for (;;) {
        await q.get();
        await sleep(clock, 100);
      }
    })();
    const elapsed = await timed(clock, async () => {
      for (let i = 0; i < 5; i++) await source.emit(i);
    });
    expect(elapsed).toBeGreaterThanOrEqual(200);
  });

  it('test_rate_limit', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const L = source.rateLimit(50).sinkToList();
    const elapsed = await timed(clock, async () => {
      for (let i = 0; i < 5; i++) await source.emit(i);
    });
    expect(elapsed).toBeGreaterThan(199); // streamz: > 0.2 s of wall time; virtual time is exact
    expect(L).toHaveLength(5);
  });

  it('test_delay', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const L = source.delay(20).sinkToList();
    for (let i = 0; i < 5; i++) await source.emit(i);
    expect(L).toEqual([]);
    // Deliberate difference: each element leaves 20 ms after it arrived (streamz spaces them 20 ms
    // apart, so at 40 ms it has emitted fewer than 5)
    await clock.advance(19);
    expect(L).toEqual([]);
    await clock.advance(1);
    expect(L).toHaveLength(5);
  });

  it('test_delay_ref_counts', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    source.delay(10);
    await heldThenReleased(clock, source);
  });

  it('test_buffer', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const L = source.map(inc).buffer(10).map(inc).rateLimit(50).sinkToList();
    let elapsed = await timed(clock, async () => {
      for (let i = 0; i < 10; i++) await source.emit(i);
    });
    expect(elapsed).toBeLessThan(10);
    expect(L.length).toBeLessThanOrEqual(1); // streamz: empty; our rateLimit lets the first element through at once
    elapsed = await timed(clock, async () => {
      for (let i = 0; i < 5; i++) await source.emit(i);
    });
    expect(L.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThan(40);
  });

  it('test_buffer_ref_counts', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    source.buffer(5);
    await heldThenReleased(clock, source);
  });

  it('test_await_syntax (py3_test_core)', async () => {
    const clock = new VirtualClock();
    const L: number[] = [];
    const source = new Stream<number>({ clock });
    source.map(inc).buffer(3).sink(async (x) => {
      await sleep(clock, 100);
      L.push(x);
    });
    const elapsed = await timed(clock, async () => {
      for (let x = 0; x < 6; x++) await source.emit(x);
    });
    expect(elapsed).toBeGreaterThanOrEqual(200); // streamz: 0.2 s < wall time < 0.4 s; virtual time is exact
    expect(elapsed).toBeLessThan(400);
    expect(L.length).toBeGreaterThanOrEqual(2);
    expect(L.length).toBeLessThanOrEqual(4);
  });

  it('test_latest', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const L: number[] = [];
    source.map(inc).latest().sink(async (x) => {
      await sleep(clock, 50);
      L.push(x);
    });
    source.emit(1);
    await clock.advance(10);
    source.emit(2);
    source.emit(3);
    await clock.advance(200);
    expect(L).toEqual([2, 4]);
    await clock.advance(60);
    expect(L).toEqual([2, 4]);
  });

  it('test_latest_ref_counts', () => {
    const source = new Stream<number>();
    source.latest();
    const ref1 = new RefCounter();
    source.emit(1, [{ ref: ref1 }]);
    expect(ref1.count).toBe(1);
    const ref2 = new RefCounter();
    source.emit(2, [{ ref: ref2 }]);
    expect(ref1.count).toBe(0);
    expect(ref2.count).toBe(1);
  });

  it('test_map_async', async () => {
    // Deliberate difference: `concurrency: n` runs at most n calls at once; streamz's parallelism=2
    // lets a third call start (its queue holds 2 while one more is awaited), so all three overlap:
    // concurrency 3 gives streamz's timing, concurrency 2 takes a second round.
    const run = async (concurrency: number) => {
      const clock = new VirtualClock();
      const source = new Stream<number>({ clock });
      const addNative = async (x = 0, y = 0) => {
        await sleep(clock, 100);
        return x + y;
      };
      const L = source.mapAsync(async (x) => x + 1).mapAsync((x) => addNative(x, 2), { concurrency }).sinkToList();
      const elapsed = await timed(clock, async () => {
        await source.emit(0);
        await source.emit(1);
        await source.emit(2);
        while (L.length < 3) await sleep(clock, 1);
      });
      expect(L).toEqual([3, 4, 5]);
      return elapsed;
    };
    expect(await run(3)).toBeLessThanOrEqual(102);
    expect(await run(2)).toBeGreaterThanOrEqual(200);
  });

  it('test_map_errors_log', async () => {
    const lines: string[] = [];
    setLogger({ log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`) });
    const clock = new VirtualClock();
    const a = new Stream<number>({ clock });
    const b = a.delay(1).map((x) => {
      if (x === 0) throw new RangeError('ZeroDivisionError: division by zero');
      return 1 / x;
    });
    a.emit(0);
    await clock.advance(100);
    expect(lines.join('\n')).toContain('ZeroDivisionError');
    await expect(a.downstreams[0].idle()).rejects.toBeInstanceOf(NodeError);
    void b;
  });

  it('test_accumulate_errors_log', async () => {
    const lines: string[] = [];
    setLogger({ log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`) });
    const clock = new VirtualClock();
    const a = new Stream<number>({ clock });
    a.delay(1).accumulate((x, y) => {
      if (y === 0) throw new RangeError('ZeroDivisionError: division by zero');
      return x / y;
    });
    a.emit(1);
    a.emit(0);
    await clock.advance(100);
    expect(lines.join('\n')).toContain('ZeroDivisionError');
  });

  it('test_separate_thread_with_time (deliberate difference: emit returns a promise instead of blocking)', async () => {
    const L: number[] = [];
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    source.map(inc).sink(async (x) => {
      await sleep(clock, 100);
      L.push(x);
    });
    const r: Emitted = source.emit(1);
    expect(r).toBeInstanceOf(Promise);
    const elapsed = await timed(clock, async () => void (await r));
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(L).toEqual([2]);
  });
});
