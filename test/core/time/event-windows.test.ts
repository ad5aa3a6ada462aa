import { describe, expect, it } from 'vitest';
import { RefCounter, Stream, TimeWindowNode, VirtualClock, type LateElement, type Meta, type WindowResult } from '../../../src/index.js';

interface Ev {
  ts: number;
  k?: string;
}

/** A window's emission as `start-end:ts,ts,...@revision`, to read timelines at a glance. */
const show = (w: WindowResult<Ev>) => `${w.key === null ? '' : `${String(w.key)} `}${w.start}-${w.end}:${w.items.map((e) => e.ts).join(',')}@${w.revision}`;

function setup(build: (s: Stream<Ev>) => TimeWindowNode<Ev>, start = 0) {
  const clock = new VirtualClock(start);
  const input = new Stream<Ev>({ clock });
  const node = build(input);
  const out: string[] = [];
  const late: LateElement<Ev>[] = [];
  node.sink((w) => void out.push(show(w)));
  node.late.sink((l) => void late.push(l));
  const send = (ts: number, k?: string, meta?: Meta) => input.emit(k === undefined ? { ts } : { ts, k }, meta);
  return { clock, input, node, out, late, send };
}

const part = (p: number): Meta => [{ topic: 't', partition: p }];

describe('tumbling windows on event time', () => {
  it('close when the watermark passes their end, out-of-order elements within the bound included', () => {
    const { out, send } = setup((s) => s.tumblingWindow('10ms', { on: 'ts', outOfOrder: 3 }));
    [1, 5, 12, 9, 13].forEach((t) => send(t)); // 9 arrives after 12, within 3 ms: still in [0,10)
    expect(out).toEqual(['0-10:1,5,9@1']); // 13 - 3 = 10 closed [0,10)
    send(21);
    expect(out).toEqual(['0-10:1,5,9@1']); // watermark 18
    send(23);
    expect(out).toEqual(['0-10:1,5,9@1', '10-20:12,13@1']);
  });

  it('a late element within the allowed lateness updates and re-emits its window; beyond it goes to the late stream', () => {
    const { node, out, late, send } = setup((s) => s.tumblingWindow(10, { on: 'ts', lateness: 5 }));
    node.enableStats();
    [1, 11].forEach((t) => send(t));
    expect(out).toEqual(['0-10:1@1']);
    send(4); // watermark 11 < 10 + 5: the window is kept
    expect(out).toEqual(['0-10:1@1', '0-10:1,4@2']);
    send(16); // watermark 16 >= 15: [0,10) freed
    send(3);
    expect(out).toEqual(['0-10:1@1', '0-10:1,4@2']);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ element: { ts: 3 }, eventTime: 3, watermark: 16, key: null });
    expect(late[0].reason).toMatch(/closed more than the allowed lateness \(5 ms\) before the watermark 16/);
    expect(node.stats!.lateElements).toBe(1);
  });

  it('emit current: every update, no second emission at close', () => {
    const { out, send } = setup((s) => s.tumblingWindow(10, { on: 'ts', emit: 'current' }));
    [1, 2, 11].forEach((t) => send(t));
    expect(out).toEqual(['0-10:1@1', '0-10:1,2@2', '10-20:11@1']);
  });

  it('rejects bad options and bad event times clearly', () => {
    const clock = new VirtualClock();
    const s = new Stream<Ev>({ clock });
    expect(() => s.tumblingWindow('ten seconds')).toThrow(/cannot parse duration "ten seconds"/);
    expect(() => s.hoppingWindow(10, 20)).toThrow(/slide \(20 ms\) must not exceed the size \(10 ms\)/);
    expect(() => s.tumblingWindow(10, { lateness: 5 })).toThrow(/need event time/);
    expect(() => s.tumblingWindow(10, { on: 'ts', emit: 'sometimes' as 'final' })).toThrow(/'final' or 'current'/);
    const w = s.tumblingWindow(10, { on: 'ts' });
    expect(() => s.emit({ ts: NaN })).toThrow(/event time must be a finite number/);
    const dead = new Stream<unknown>();
    const bad: unknown[] = [];
    dead.sink((x) => void bad.push(x));
    w.onError({ deadLetter: dead });
    s.emit({ ts: 'soon' as unknown as number });
    expect(bad).toHaveLength(1);
  });
});

describe('hopping and session windows', () => {
  it('hopping: each element is in size / slide windows, emitted in order of their end', () => {
    const { out, send, node } = setup((s) => s.hoppingWindow(10, 5, { on: 'ts' }));
    [1, 6, 12].forEach((t) => send(t));
    expect(out).toEqual(['-5-5:1@1', '0-10:1,6@1']);
    node.flush();
    expect(out).toEqual(['-5-5:1@1', '0-10:1,6@1', '5-15:6,12@1', '10-20:12@1']);
  });

  it('sessions per key: an element within the gap extends and merges them', () => {
    const { out, send } = setup((s) => s.sessionWindow(5, { on: 'ts', key: 'k' }));
    send(1, 'a');
    send(3, 'b');
    send(4, 'a');
    send(12, 'a'); // watermark 12: a's session [1,9) and b's [3,8) are over
    expect(out).toEqual(['b 3-8:3@1', 'a 1-9:1,4@1']);
    send(20, 'b');
    send(15, 'a'); // late for nothing: joins [12,17) with watermark 20 >= 17+0? it is closed: late
    expect(out).toEqual(['b 3-8:3@1', 'a 1-9:1,4@1', 'a 12-17:12@1']);
  });

  it('sessions merge two open sessions bridged by an element', () => {
    const { out, send, node } = setup((s) => s.sessionWindow(4, { on: 'ts', outOfOrder: 10 }));
    [1, 9, 5].forEach((t) => send(t)); // [1,5) and [9,13), then [5,9) touches both (as in Flink, windows that meet merge)
    node.flush();
    expect(out).toEqual(['1-13:1,9,5@1']);
  });
});

describe('watermarks over source partitions', () => {
  it('the slowest partition holds windows open until it goes idle, with no element needed to notice', async () => {
    const { clock, out, send } = setup((s) => s.tumblingWindow(10, { on: 'ts', idleTimeout: '1s' }));
    send(2, undefined, part(0));
    send(3, undefined, part(1));
    send(25, undefined, part(0)); // partition 1 is still at 3
    expect(out).toEqual([]);
    await clock.advance(999);
    expect(out).toEqual([]);
    await clock.advance(1); // partition 1 idle for 1 s: the watermark is partition 0's 25
    expect(out).toEqual(['0-10:2,3@1']);
    send(4, undefined, part(1)); // partition 1 is back, but 4 is behind the watermark
    expect(out).toEqual(['0-10:2,3@1']);
  });
});

describe('idle close and processing time', () => {
  it('idle close emits the last window of a burst on processing time', async () => {
    const { clock, out, send } = setup((s) => s.tumblingWindow(10, { on: 'ts', idleClose: '5s' }));
    [1, 2, 14].forEach((t) => send(t));
    expect(out).toEqual(['0-10:1,2@1']);
    await clock.advance(4999);
    expect(out).toEqual(['0-10:1,2@1']);
    await clock.advance(1);
    expect(out).toEqual(['0-10:1,2@1', '10-20:14@1']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('processing-time windows close on the clock', async () => {
    const { clock, out, send } = setup((s) => s.tumblingWindow('1s'), 500);
    send(-1);
    await clock.advance(400);
    send(-2);
    await clock.advance(99); // t = 999
    expect(out).toEqual([]);
    await clock.advance(1);
    expect(out).toEqual(['0-1000:-1,-2@1']);
    await clock.advance(5000);
    expect(out).toEqual(['0-1000:-1,-2@1']); // nothing open, nothing emitted, no timer
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('metadata references', () => {
  it('a window holds its elements references until it is freed', () => {
    const { send, out } = setup((s) => s.tumblingWindow(10, { on: 'ts', lateness: 10 }));
    let done = 0;
    const ref = new RefCounter(() => void done++);
    send(1, undefined, [{ ref }]);
    send(12);
    expect(out).toEqual(['0-10:1@1']);
    expect(done).toBe(0); // kept for late updates until watermark 20
    send(20);
    expect(done).toBe(1);
  });
});

describe('count windows', () => {
  it('tumbling and hopping count windows, per key, partial windows at end of input', () => {
    const clock = new VirtualClock();
    const s = new Stream<Ev>({ clock });
    const t: string[] = [];
    const h: string[] = [];
    const tw = s.tumblingCountWindow(2, { key: 'k' });
    const hw = s.hoppingCountWindow(3, 2);
    tw.sink((w) => void t.push(show(w)));
    hw.sink((w) => void h.push(show(w)));
    [1, 2, 3, 4, 5, 6].forEach((ts) => s.emit({ ts, k: ts % 3 === 0 ? 'x' : 'y' }));
    expect(t).toEqual(['y 0-2:1,2', 'y 2-4:4,5', 'x 0-2:3,6'].map((x) => `${x}@1`));
    expect(h).toEqual(['0-3:1,2,3@1', '2-5:3,4,5@1']);
    tw.flush();
    hw.flush();
    expect(h).toEqual(['0-3:1,2,3@1', '2-5:3,4,5@1', '4-6:5,6@1']);
    expect(() => s.hoppingCountWindow(2, 3)).toThrow(/slide must be an integer in 1..size/);
  });
});
