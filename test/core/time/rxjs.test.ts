import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { clockFromScheduler, Stream } from '../nodes/streamframe.js';

describe('clockFromScheduler', () => {
  it("an RxJS VirtualTimeScheduler's flush() drives a timedWindow", () => {
    const scheduler = new VirtualTimeScheduler(undefined, 350);
    const clock = clockFromScheduler(scheduler);
    const s = new Stream<number>({ clock });
    const seen: [number, number[]][] = [];
    s.timedWindow(100).sink((w) => seen.push([clock.now(), w]));
    s.emit(1);
    s.emit(2);
    // elements emitted at scheduled frames
    scheduler.schedule(() => void s.emit(3), 150);
    scheduler.flush(); // runs to frame 350
    expect(seen).toEqual([
      [100, [1, 2]],
      [200, [3]],
      [300, []],
    ]);
    expect(clock.now()).toBe(300);
    scheduler.maxFrames = 500;
    s.emit(4);
    scheduler.flush();
    expect(seen.slice(3)).toEqual([
      [400, [4]],
      [500, []],
    ]);
  });

  it('with an unbounded scheduler, destroying the window (itself a scheduled action) lets flush() return', () => {
    const scheduler = new VirtualTimeScheduler(); // maxFrames = Infinity: a ticking window alone would never let flush end
    const clock = clockFromScheduler(scheduler);
    const s = new Stream<number>({ clock });
    const w = s.timedWindow(100);
    const seen: [number, number[]][] = [];
    w.sink((x) => seen.push([clock.now(), x]));
    s.emit(1);
    scheduler.schedule(() => void s.emit(2), 150);
    scheduler.schedule(() => w.destroy(), 350);
    scheduler.flush();
    expect(seen).toEqual([
      [100, [1]],
      [200, [2]],
      [300, []],
    ]);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('drives delay and partition timeouts too', () => {
    const scheduler = new VirtualTimeScheduler(undefined, 1000);
    const clock = clockFromScheduler(scheduler);
    const s = new Stream<number>({ clock });
    const seen: [number, unknown][] = [];
    s.partition(5, { timeout: 40 }).sink((x) => seen.push([clock.now(), x]));
    s.emit(1);
    scheduler.schedule(() => void s.emit(2), 10);
    scheduler.flush();
    expect(seen).toEqual([[40, [1, 2]]]);
  });
});
