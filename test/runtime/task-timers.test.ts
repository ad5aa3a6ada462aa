// A partitioned job's per-task copy of a node that wakes by itself (a source partition going idle)
// wakes the copy, on the copy's timers: the template never sees an element, so a wake that reached
// it would emit nothing.
import { describe, expect, it } from 'vitest';
import { Stream, VirtualClock, walk, type Meta } from '../../src/index.js';
import { downstreamOf, TaskGraph } from '../../src/runtime/task-graph.js';

interface Ev {
  side: 'l' | 'r';
  k: string;
  ts: number;
  id: string;
}

const part = (p: number): Meta => [{ topic: 't', partition: p }];

/** The template graph below one source, and one task's copy of it; `out` is shared (a sink is no stateful node). */
function copied(build: (src: Stream<Ev>) => Stream<string>) {
  const clock = new VirtualClock(0);
  const template = new Stream<Ev>({ clock });
  const out: string[] = [];
  build(template).sink((x) => void out.push(x));
  const ids = new Map(walk(template).map((n, i) => [n, String(i)]));
  const task = new TaskGraph(template, downstreamOf(template), ids);
  return { clock, out, send: (e: Ev, p: number) => task.emit(e, part(p)) };
}

describe("a task copy's wake-up timer", () => {
  it('an interval join in a task emits its unmatched left once a partition goes idle', async () => {
    const { clock, out, send } = copied((src) =>
      src
        .filter((e) => e.side === 'l')
        .join(src.filter((e) => e.side === 'r'), { key: 'k', on: 'ts', within: 1, how: 'left', idleTimeout: 100 })
        .map(([l, r]) => `${l.id}+${r?.id ?? '-'}`),
    );
    send({ side: 'l', k: 'a', ts: 10, id: 'l1' }, 0);
    send({ side: 'r', k: 'b', ts: 50, id: 'r1' }, 1);
    send({ side: 'l', k: 'a', ts: 50, id: 'l2' }, 1);
    expect(out).toEqual([]);
    await clock.advance(100); // partition 0 idle: the left watermark is 50, so l1 (bound 11) is due
    expect(out).toEqual(['l1+-']);
  });

  it('an as-of join in a task looks up its waiting left once a partition goes idle', async () => {
    const { clock, out, send } = copied((src) =>
      src
        .filter((e) => e.side === 'l')
        .joinAsof(src.filter((e) => e.side === 'r'), { key: 'k', on: 'ts', how: 'left', idleTimeout: 100 })
        .map(([l, r]) => `${l.id}+${r?.id ?? '-'}`),
    );
    send({ side: 'r', k: 'a', ts: 5, id: 'r1' }, 0);
    send({ side: 'r', k: 'a', ts: 50, id: 'r2' }, 1);
    send({ side: 'l', k: 'a', ts: 10, id: 'l1' }, 0); // the right watermark is 5: waits
    expect(out).toEqual([]);
    await clock.advance(100); // right partition 0 idle: the right watermark is 50
    expect(out).toEqual(['l1+r1']);
  });

  it('an event-time window in a task closes once a partition goes idle', async () => {
    const { clock, out, send } = copied((src) => src.tumblingWindow(10, { on: 'ts', idleTimeout: 100 }).map((w) => w.items.map((e) => e.id).join(',')));
    send({ side: 'l', k: 'a', ts: 2, id: 'e1' }, 0);
    send({ side: 'l', k: 'a', ts: 25, id: 'e2' }, 1);
    expect(out).toEqual([]);
    await clock.advance(100);
    expect(out).toEqual(['e1']);
  });
});
