import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStateful, nodeIds, Stream, VirtualClock, type ElementWindowOptions, type TimeWindowSpec } from '../../../src/index.js';
import { runs } from '../../fixtures/runs.js';

interface Ev {
  ts: number;
  k: string;
  id: number;
}
/** One step of a timeline: an element from a partition, or processing time passing. */
type Step = { ev: Ev; partition: number } | { wait: number };

const SPECS: TimeWindowSpec[] = [{ tumbling: 10 }, { hopping: 10, slide: 5 }, { session: 4 }];

/** Event times that mostly rise, jitter back by up to 8 ms (some beyond the 5 ms bound: late), quiet spells. */
const timeline = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ step: fc.integer({ min: -8, max: 6 }), k: fc.constantFrom('a', 'b'), partition: fc.integer({ min: 0, max: 1 }) }) },
    { weight: 1, arbitrary: fc.record({ wait: fc.integer({ min: 1, max: 3000 }) }) },
  ),
  { maxLength: 60 },
).map((raw) => {
  let t = 100;
  let id = 0;
  return raw.map((r): Step => {
    if ('wait' in r) return { wait: r.wait };
    t = Math.max(0, t + r.step);
    return { ev: { ts: t, k: r.k, id: id++ }, partition: r.partition };
  });
});

const options: ElementWindowOptions<Ev> = { on: 'ts', key: 'k', outOfOrder: 5, lateness: 3, idleTimeout: 1000, idleClose: 2000 };

function build(spec: TimeWindowSpec, clock: VirtualClock, extra: Partial<ElementWindowOptions<Ev>> = {}) {
  const input = new Stream<Ev>({ clock });
  const node = new Stream<Ev>({ clock }, [input]).map((x) => x);
  const w = 'tumbling' in spec ? node.tumblingWindow(spec.tumbling, { ...options, ...extra }) : 'hopping' in spec ? node.hoppingWindow(spec.hopping, spec.slide, { ...options, ...extra }) : node.sessionWindow(spec.session, { ...options, ...extra });
  const out: string[] = [];
  w.sink((r) => void out.push(`${String(r.key)} ${r.start}-${r.end}:${r.items.map((e) => e.id).join(',')}@${r.revision}`));
  w.late.sink((l) => void out.push(`late ${l.element.id} wm ${l.watermark}`));
  return { input, window: w, out };
}

async function play(g: ReturnType<typeof build>, clock: VirtualClock, steps: Step[]): Promise<void> {
  for (const s of steps) {
    if ('wait' in s) await clock.advance(s.wait);
    else g.input.emit(s.ev, [{ topic: 't', partition: s.partition }]);
  }
}

function states(g: ReturnType<typeof build>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [node, id] of nodeIds(g.input)) if (isStateful(node)) out[id] = node.snapshot();
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

describe('event-time windows restart exactly', () => {
  for (const spec of SPECS) {
    it(`${Object.keys(spec)[0]}: run, snapshot at any step, restore into a fresh graph at the same time, run on = one uninterrupted run`, async () => {
      await fc.assert(
        fc.asyncProperty(
          timeline.chain((steps) => fc.tuple(fc.constant(steps), fc.integer({ min: 0, max: steps.length }))),
          async ([steps, k]) => {
            const fullClock = new VirtualClock();
            const full = build(spec, fullClock);
            await play(full, fullClock, steps);
            await fullClock.advance(5000);

            const c1 = new VirtualClock();
            const before = build(spec, c1);
            await play(before, c1, steps.slice(0, k));
            const saved = states(before);
            before.window.destroy(); // the crashed process's timers die with it

            const c2 = new VirtualClock(c1.now());
            const after = build(spec, c2);
            for (const [node, id] of nodeIds(after.input)) if (isStateful(node) && id in saved) node.restore(saved[id]);
            await play(after, c2, steps.slice(k));
            await c2.advance(5000);
            expect([...before.out, ...after.out]).toEqual(full.out);
          },
        ),
        { numRuns: runs(60) },
      );
    });
  }
});

describe('event-time windows agree with a batch recomputation', () => {
  it('tumbling per key with no late data: every element in exactly its window, flushed at the end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ ts: fc.integer({ min: 0, max: 200 }), k: fc.constantFrom('a', 'b', 'c') }), { maxLength: 80 }), async (raw) => {
        // Sorted, then shuffled only within 5 ms: never later than the out-of-order bound.
        const evs = raw.map((r, id) => ({ ...r, id })).sort((a, b) => a.ts - b.ts);
        for (let i = 1; i < evs.length; i++) if (evs[i].ts - evs[i - 1].ts <= 5 && (evs[i].id + evs[i - 1].id) % 2 === 0) [evs[i], evs[i - 1]] = [evs[i - 1], evs[i]];
        const clock = new VirtualClock();
        const g = build({ tumbling: 10 }, clock, { lateness: 0, idleClose: undefined });
        evs.forEach((e) => g.input.emit(e));
        g.window.flush();
        const batch = new Map<string, number[]>();
        for (const e of evs) {
          const w = `${e.k} ${Math.floor(e.ts / 10) * 10}`;
          batch.set(w, [...(batch.get(w) ?? []), e.id]);
        }
        const streamed = new Map(g.out.map((o) => [o.split('-')[0], o.split(':')[1].split('@')[0].split(',').map(Number)] as const));
        expect(g.out.filter((o) => o.startsWith('late'))).toEqual([]);
        expect(new Map([...streamed].map(([w, ids]) => [w, [...ids].sort((a, b) => a - b)]))).toEqual(new Map([...batch].map(([w, ids]) => [w, ids.sort((a, b) => a - b)])));
      }),
      { numRuns: runs(100) },
    );
  });
});
