import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stream, VirtualClock, type JoinHow } from '../../src/index.js';
import { runs } from '../dataframe/helpers.js';
import { accepted, cutTimeline, expectExactRestore, play, timeline, type Ev, type Step } from './fixtures/join-timeline.js';

const settings = fc.record({
  outOfOrder: fc.integer({ min: 0, max: 5 }),
  ttl: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  how: fc.constantFrom<JoinHow>('inner', 'left'),
});
type Settings = typeof settings extends fc.Arbitrary<infer S> ? S : never;

function build(s: Settings, clock: VirtualClock) {
  const left = new Stream<Ev>({ clock });
  const right = new Stream<Ev>({ clock });
  const joined = left.joinAsof(right, { key: 'k', on: 'ts', outOfOrder: s.outOfOrder, ttl: s.ttl, idleTimeout: 200, how: s.how });
  const out: string[] = [];
  const late = new Set<number>();
  const behind: number[] = [];
  joined.sink(([l, r]) => void out.push(`${l.id}+${r === null ? '-' : r.id}`));
  joined.late.sink((e) => {
    late.add(e.element.id);
    behind.push(e.watermark - e.eventTime);
  });
  return { inputs: [left, right], joined, out, late, behind };
}

/** The as-of join recomputed from the whole input at once: each accepted left with the last-arrived accepted right of its key at the latest time at or before its own (within the TTL). */
function batchAsof(steps: Step[], late: Set<number>, s: Settings): string[] {
  const [lefts, rights] = [accepted(steps, 0, late), accepted(steps, 1, late)];
  return lefts.flatMap((l) => {
    let best: Ev | undefined;
    for (const r of rights) if (r.k === l.k && r.ts <= l.ts && (best === undefined || r.ts >= best.ts)) best = r;
    if (best !== undefined && s.ttl !== undefined && l.ts - best.ts > s.ttl) best = undefined;
    if (best !== undefined) return [`${l.id}+${best.id}`];
    return s.how === 'left' ? [`${l.id}+-`] : [];
  });
}

describe('as-of join, property: streaming equals a naive batch as-of join', () => {
  it('each accepted left gets the latest accepted right at or before it (or null); late elements really were late', async () => {
    await fc.assert(
      fc.asyncProperty(timeline, settings, async (steps, s) => {
        const clock = new VirtualClock(0);
        const g = build(s, clock);
        await play(g.inputs, clock, steps);
        g.joined.endOfInput();
        expect([...g.out].sort()).toEqual(batchAsof(steps, g.late, s).sort());
        for (const b of g.behind) expect(b).toBeGreaterThan(0);
        expect(g.joined.held.left).toBe(0);
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
