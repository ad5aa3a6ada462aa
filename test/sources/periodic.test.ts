import { describe, expect, it } from 'vitest';
import { PeriodicSource, Stream, VirtualClock } from '../core/nodes/streamframe.js';

describe('Stream.fromPeriodic', () => {
  it('calls the function every interval on the clock', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const src = Stream.fromPeriodic(() => ++n * 10, 100, { clock });
    expect(src).toBeInstanceOf(PeriodicSource);
    const seen: [number, number][] = [];
    src.sink((x) => seen.push([clock.now(), x]));
    const run = src.start();
    await clock.advance(99);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(seen).toEqual([[100, 10]]);
    await clock.advance(250);
    expect(seen).toEqual([
      [100, 10],
      [200, 20],
      [300, 30],
    ]);
    expect(src.position()).toEqual({ polls: 3 });
    src.stop();
    await run;
    await clock.advance(500);
    expect(seen).toHaveLength(3);
  });

  it('awaits an async function', async () => {
    const clock = new VirtualClock();
    const src = Stream.fromPeriodic(async () => 'tick', 10, { clock });
    const out = src.sinkToList();
    const run = src.start();
    await clock.advance(30);
    src.stop();
    await run;
    expect(out).toEqual(['tick', 'tick', 'tick']);
  });

  it('seek sets the poll count', async () => {
    const clock = new VirtualClock();
    const src = Stream.fromPeriodic(() => 1, 10, { clock });
    src.seek({ polls: 7 });
    const run = src.start();
    await clock.advance(10);
    expect(src.position()).toEqual({ polls: 8 });
    src.stop();
    await run;
  });

  it('stop() while waiting ends the run at once and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const src = Stream.fromPeriodic(() => 1, 60_000, { clock });
    const out = src.sinkToList();
    const run = src.start();
    await clock.advance(10);
    src.stop();
    await run; // without advancing the clock
    expect(clock.pendingTimers).toBe(0);
    expect(out).toEqual([]);
  });

  it('rejects a non-positive interval', () => {
    expect(() => Stream.fromPeriodic(() => 1, 0)).toThrow(RangeError);
  });
});
