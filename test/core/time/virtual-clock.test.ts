import { describe, expect, it } from 'vitest';
import { Source, VirtualClock } from '../../../src/index.js';

/** Bursts of 5 elements every 100 ms of its clock. */
class Bursts extends Source<number> {
  protected async run(): Promise<void> {
    for (let i = 0; !this.stopped; ) {
      for (let j = 0; j < 5; j++) await this.push(i++);
      await this.pause(100);
    }
  }
}

/** Keep the CPU busy past the source's yield interval, as a loaded machine does to every element. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('VirtualClock: virtual time does not depend on real time', () => {
  it('a source that yields to the event loop after every element still meets each of its timers', async () => {
    const clock = new VirtualClock();
    const source = new Bursts({ clock });
    const seen: number[] = [];
    source.sink(() => {
      seen.push(clock.now());
      spin(3); // longer than a source runs between two yields: each element yields once
    });
    const done = source.start();
    await clock.advance(1000);
    source.stop();
    await done;
    // 0, 100, …, 1000: eleven bursts of five, each at its own virtual time.
    expect(seen).toEqual(Array.from({ length: 55 }, (_, n) => Math.floor(n / 5) * 100));
  });

  it('advance() also waits for work started before it (a source still in its first burst)', async () => {
    const clock = new VirtualClock();
    const source = new Bursts({ clock });
    const seen: number[] = [];
    source.sink(() => void (seen.push(clock.now()), spin(3)));
    const done = source.start();
    await clock.advance(100);
    source.stop();
    await done;
    expect(seen).toEqual([0, 0, 0, 0, 0, 100, 100, 100, 100, 100]);
  });
});
