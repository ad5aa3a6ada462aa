import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stream, VirtualClock, type JoinHow } from '../../src/index.js';
import { runs } from '../dataframe/helpers.js';
import { accepted, cutTimeline, expectExactRestore, play, timeline, type Ev, type Step } from './fixtures/join-timeline.js';

const settings = fc.record({
  before: fc.integer({ min: 0, max: 6 }),
  after: fc.integer({ min: 0, max: 6 }),
  outOfOrder: fc.integer({ min: 0, max: 5 }),
  lateness: fc.integer({ min: 0, max: 3 }),
  how: fc.constantFrom<JoinHow>('inner', 'left'),
});
type Settings = typeof settings extends fc.Arbitrary<infer S> ? S : never;

function build(s: Settings, clock: VirtualClock) {
  const left = new Stream<Ev>({ clock });
  const right = new Stream<Ev>({ clock });
  const joined = left.join(right, { key: 'k', on: 'ts', within: { before: s.before, after: s.after }, outOfOrder: s.outOfOrder, lateness: s.lateness, idleTimeout: 200, how: s.how });
  const out: string[] = [];
  const late = new Set<number>();
  joined.sink(([l, r]) => void out.push(`${l.id}+${r === null ? '-' : r.id}`));
  joined.late.sink((e) => void late.add(e.element.id));
  return { inputs: [left, right], joined, out, late };
}

/** The join recomputed from the whole input at once: every pair of accepted elements of a key within the interval, and (left join) the accepted lefts that have none. */
function batchJoin(steps: Step[], late: Set<number>, s: Settings): string[] {
  const [lefts, rights] = [accepted(steps, 0, late), accepted(steps, 1, late)];
  return lefts.flatMap((l) => {
    const matches = rights.filter((r) => r.k === l.k && r.ts >= l.ts - s.before && r.ts <= l.ts + s.after).map((r) => `${l.id}+${r.id}`);
    return matches.length === 0 && s.how === 'left' ? [`${l.id}+-`] : matches;
  });
}

describe('interval join, property: streaming equals a naive batch join', () => {
  it('the pairs (and unmatched lefts) of accepted elements are exactly the batch join of them; late elements really were late', async () => {
    await fc.assert(
      fc.asyncProperty(timeline, settings, async (steps, s) => {
        const clock = new VirtualClock(0);
        const g = build(s, clock);
        const watermarks: number[] = [];
        g.joined.late.sink((e) => void watermarks.push(e.watermark - e.eventTime));
        await play(g.inputs, clock, steps);
        g.joined.endOfInput();
        expect([...g.out].sort()).toEqual(batchJoin(steps, g.late, s).sort());
        for (const behind of watermarks) expect(behind).toBeGreaterThan(s.lateness);
        expect(g.joined.held).toEqual({ left: 0, right: 0 });
      }),
      { numRuns: runs(300) },
    );
  });

  it('a snapshot through the checkpoint encoding restores exactly: the run goes on as if never cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        cutTimeline,
        settings,
        async ([steps, cut], s) => expectExactRestore((clock) => build(s, clock), steps, cut),
      ),
      { numRuns: runs(300) },
    );
  });
});
