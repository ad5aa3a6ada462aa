import { describe, expect, it } from 'vitest';
import { parseDuration, Stream, VirtualClock } from '../../src/index.js';

describe('durations', () => {
  it('parses numbers of ms and pandas-like strings', () => {
    expect([parseDuration('10s'), parseDuration('5min'), parseDuration('250ms'), parseDuration('1h'), parseDuration('1.5s'), parseDuration(7)]).toEqual([
      10000, 300000, 250, 3600000, 1500, 7,
    ]);
  });

  it('refuses what is not a positive duration, naming it', () => {
    expect(() => parseDuration('-1s')).toThrow(/"-1s"/);
    expect(() => parseDuration(0)).toThrow(/positive/);
    expect(() => parseDuration('10 parsecs')).toThrow(/cannot parse duration "10 parsecs"/);
    expect(() => parseDuration(undefined as unknown as string)).toThrow(/duration must be/);
  });

  it('core time nodes take string durations', async () => {
    const clock = new VirtualClock();
    const s = new Stream<number>({ clock });
    const out: number[][] = [];
    s.timedWindow('1s').sink((w) => void out.push(w));
    const delayed: number[] = [];
    s.delay('250ms').sink((x) => void delayed.push(x));
    s.emit(1);
    await clock.advance(250);
    expect(delayed).toEqual([1]);
    await clock.advance(750);
    expect(out).toEqual([[1]]);
    expect(() => s.rateLimit('soon')).toThrow(/cannot parse duration "soon"/);
    expect(() => s.partition(2, { timeout: 'x' })).toThrow(/cannot parse duration/);
  });
});
