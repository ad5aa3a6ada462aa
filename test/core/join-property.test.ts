import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeState, encodeState, Stream, VirtualClock, type IntervalJoinState, type JoinHow, type Meta } from '../../src/index.js';
import { runs } from '../dataframe/helpers.js';

interface Ev {
  k: string;
  ts: number;
  id: number;
}
/** One step of a timeline: an element of a side from a source partition, or processing time passing. */
type Step = { side: 0 | 1; ev: Ev; partition: number } | { wait: number };

/** Per side, event times that mostly rise and jitter back by up to 8 (some beyond the bound: late), and quiet spells. */
const timeline = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ side: fc.constantFrom(0 as const, 1 as const), step: fc.integer({ min: -8, max: 6 }), k: fc.constantFrom('a', 'b', 'c'), partition: fc.integer({ min: 0, max: 1 }) }) },
      { weight: 1, arbitrary: fc.record({ wait: fc.integer({ min: 1, max: 300 }) }) },
    ),
    { maxLength: 80 },
  )
  .map((raw) => {
    const t = [100, 100];
    let id = 0;
    return raw.map((r): Step => {
      if ('wait' in r) return r;
      t[r.side] = Math.max(0, t[r.side] + r.step);
      return { side: r.side, ev: { k: r.k, ts: t[r.side], id: id++ }, partition: r.partition };
    });
  });

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

async function play(g: ReturnType<typeof build>, clock: VirtualClock, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if ('wait' in step) await clock.advance(step.wait);
    else g.inputs[step.side].emit(step.ev, [{ topic: `side${step.side}`, partition: step.partition }] as Meta);
  }
}

/** The join recomputed from the whole input at once: every pair of accepted elements of a key within the interval, and (left join) the accepted lefts that have none. */
function batchJoin(steps: Step[], late: Set<number>, s: Settings): string[] {
  const accepted = (side: 0 | 1) => steps.flatMap((st) => ('side' in st && st.side === side && !late.has(st.ev.id) ? [st.ev] : []));
  const [lefts, rights] = [accepted(0), accepted(1)];
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
        await play(g, clock, steps);
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
        timeline.chain((steps) => fc.tuple(fc.constant(steps), fc.integer({ min: 0, max: steps.length }))),
        settings,
        async ([steps, cut], s) => {
          const fullClock = new VirtualClock(0);
          const full = build(s, fullClock);
          await play(full, fullClock, steps);
          full.joined.endOfInput();

          const clock = new VirtualClock(0);
          const before = build(s, clock);
          await play(before, clock, steps.slice(0, cut));
          const state = decodeState(JSON.parse(JSON.stringify(encodeState(before.joined.snapshot())))) as IntervalJoinState<Ev, Ev>;
          before.joined.stopTimers();
          const after = build(s, clock);
          after.joined.restore(state);
          expect(after.joined.snapshot()).toEqual(before.joined.snapshot());
          await play(after, clock, steps.slice(cut));
          after.joined.endOfInput();
          expect([...before.out, ...after.out]).toEqual(full.out);
          expect(new Set([...before.late, ...after.late])).toEqual(full.late);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
