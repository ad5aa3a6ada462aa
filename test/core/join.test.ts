import { describe, expect, it } from 'vitest';
import { RefCounter, runJob, Stream, StateShapeError, VirtualClock, type IntervalJoinOptions, type JoinHow, type Meta } from '../../src/index.js';
import { joinSetup, part, type Ev } from './fixtures/join-setup.js';

/** A join of two streams on a virtual clock (see joinSetup). */
const setup = (options: Partial<IntervalJoinOptions<Ev, Ev, 'k', JoinHow>> = {}) => joinSetup((left, right) => left.join(right, { key: 'k', on: 'ts', within: 5, ...options }));

describe('interval join', () => {
  it('joins elements of the same key within the interval, whichever side comes first', () => {
    const { out, L, R } = setup({ within: { before: 2, after: 5 } });
    L('l1', 10);
    R('r1', 8); // 2 before l1: in
    R('r2', 15); // 5 after l1: in
    R('r3', 16); // 6 after: out
    R('r4', 7); // 3 before: out
    R('rb', 10, 'b'); // other key
    L('l2', 14); // r1 is 6 before: out; r2 1 after, r3 2 after: in
    expect(out).toEqual(['l1+r1', 'l1+r2', 'l2+r2', 'l2+r3']);
  });

  it('holds each side until the watermark (the lower of both inputs) passes its bound, then frees it', () => {
    const { joined, out, L, R } = setup({ within: { before: 2, after: 5 } });
    L('l1', 10);
    R('r1', 30); // left watermark 10, right 30: the join's is 10
    expect(joined.watermark).toBe(10);
    expect(joined.held).toEqual({ left: 1, right: 1 });
    L('l2', 16); // watermark 16 > 10 + 5: l1 can meet no right any more
    expect(joined.held).toEqual({ left: 1, right: 1 });
    L('l3', 40); // watermark 30: l2 freed (16 + 5 < 30); r1 (30 + 2) still joins lefts up to 32
    expect(joined.held).toEqual({ left: 1, right: 1 });
    R('r2', 50); // watermark 40: r1 freed
    expect(joined.held).toEqual({ left: 1, right: 1 });
    expect(out).toEqual([]);
  });

  it('an input that sent nothing yet holds the watermark back, so the other cannot race ahead and lose matches', () => {
    const { out, L, R } = setup();
    for (let t = 0; t <= 1000; t += 100) L(`l${t}`, t);
    R('r0', 3);
    expect(out).toEqual(['l0+r0']);
  });

  it('left join: emits an unmatched left with null once the watermark passes its bound', () => {
    const { out, L, R } = setup({ how: 'left', within: 5 });
    L('l1', 10);
    L('l2', 11);
    R('r1', 12); // matches both
    L('l3', 20);
    R('r2', 30); // watermark min(20, 30) = 20: l1 and l2 (bounds 15, 16) are out of reach, but matched
    expect(out).toEqual(['l1+r1', 'l2+r1']); // matched lefts are freed silently
    L('l4', 40); // watermark 30: l3 (20 + 5 < 30) is due
    expect(out).toEqual(['l1+r1', 'l2+r1', 'l3+-']);
  });

  it('late elements go to the late stream, with the side and the watermark; within lateness they still join', () => {
    const { joined, out, late, L, R } = setup({ within: 2, lateness: 3 });
    joined.enableStats();
    L('l1', 10);
    R('r1', 20);
    L('l2', 20); // watermark 20; l2 joins r1
    R('r2', 17); // 3 behind: within lateness, joins nothing (l1 freed? 10 + 2 + 3 < 20: yes)
    R('r3', 16); // 4 behind: late
    expect(out).toEqual(['l2+r1']);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ element: { id: 'r3' }, eventTime: 16, watermark: 20, key: 'a' });
    expect(late[0].reason).toMatch(/^right element of event time 16 is more than the allowed lateness \(3 ms\) behind the watermark 20/);
    expect(joined.stats!.lateElements).toBe(1);
    L('l0', 18); // within lateness: joins r2 (17) and r1? 20 - 18 = 2: yes
    expect(out).toEqual(['l2+r1', 'l0+r1', 'l0+r2']);
  });

  it('watermarks are per source partition with outOfOrder; an idle partition stops holding it back on a timer', async () => {
    const { clock, joined, out, L, R } = setup({ how: 'left', within: 1, outOfOrder: 2, idleTimeout: 100 });
    L('l1', 10, 'a', part(0));
    L('l2', 50, 'a', part(1));
    R('r1', 60, 'b');
    expect(joined.watermark).toBe(8); // left partition 0 at 10, minus 2
    await clock.advance(99);
    expect(out).toEqual([]);
    await clock.advance(1); // partition 0 idle: left watermark 48, so l1 (bound 11) is due without any new element
    expect(out).toEqual(['l1+-']);
  });

  it('end of input emits the unmatched lefts of a left join and frees everything', async () => {
    const clock = new VirtualClock(0);
    const left = Stream.fromIterable<Ev>([{ k: 'a', ts: 1, id: 'l1' }, { k: 'b', ts: 2, id: 'l2' }], { clock });
    const right = Stream.fromIterable<Ev>([{ k: 'a', ts: 1, id: 'r1' }], { clock });
    const joined = left.join(right, { key: 'k', on: 'ts', within: 5, how: 'left' });
    const out = joined.map(([l, r]) => `${l.id}+${r?.id ?? '-'}`).sinkToList();
    await runJob([left, right], { name: 'join-end', handleSignals: false }).done;
    expect(out.sort()).toEqual(['l1+r1', 'l2+-']);
    expect(joined.held).toEqual({ left: 0, right: 0 });
  });

  it('keeps each element referenced until it can join nothing more; joined pairs carry both references', () => {
    const { joined, L, R } = setup({ within: 5 });
    const done: string[] = [];
    const ref = (id: string): Meta => [{ ref: new RefCounter(() => done.push(id)) }];
    joined.map((pair) => pair).sink(() => undefined); // a second branch does not change when they are released
    L('l1', 10, 'a', ref('l1'));
    R('r1', 12, 'a', ref('r1'));
    expect(done).toEqual([]); // both may still join
    L('l2', 30, 'a', ref('l2'));
    expect(done).toEqual([]); // the right watermark (12) holds l1 back
    R('r2', 30, 'a', ref('r2')); // watermark 30: l1 (15) and r1 (17) can join nothing more
    expect(done).toEqual(['r1', 'l1']);
  });

  it('a missing key or a bad event time is an error naming the side, through the error policy', () => {
    const { left, right, joined } = setup();
    expect(() => left.emit({ ts: 1, id: 'x' } as unknown as Ev)).toThrow(/left element has no key field "k"/);
    expect(() => right.emit({ k: 'a', ts: Number.NaN, id: 'x' })).toThrow(/right element's event time must be a finite number/);
    const dead: unknown[] = [];
    const letters = new Stream<any>();
    letters.sink((d) => void dead.push(d));
    joined.onError({ deadLetter: letters });
    right.emit({ k: 'a', ts: 'soon', id: 'y' } as unknown as Ev);
    expect(dead).toMatchObject([{ element: { id: 'y' }, nodeId: joined.id }]);
  });

  it('rejects bad options before connecting', () => {
    const a = new Stream<Ev>();
    const b = new Stream<Ev>();
    expect(() => a.join(b, { key: 'k', on: 'ts', within: -1 })).toThrow(/duration must be positive/);
    expect(() => a.join(b, { key: 'k', on: 'ts', within: 1, how: 'outer' as 'left' })).toThrow(/how must be 'inner' or 'left'/);
    expect(() => a.join(b, { key: { left: 'k' } as unknown as 'k', on: 'ts', within: 1 })).toThrow(/needs both `left` and `right`/);
    expect(a.downstreams).toHaveLength(0);
  });

  it('restores exactly: held elements, matched flags and watermarks; restored elements join and expire as before', () => {
    const run = (cut: boolean) => {
      const first = setup({ how: 'left', within: 3, outOfOrder: 1 });
      first.L('l1', 10);
      first.R('r1', 11);
      first.L('l2', 12, 'b');
      first.R('r2', 20, 'c');
      if (!cut) return first;
      const state = JSON.parse(JSON.stringify(first.joined.snapshot()));
      const second = setup({ how: 'left', within: 3, outOfOrder: 1 });
      second.joined.restore(state);
      expect(second.joined.snapshot()).toEqual(first.joined.snapshot());
      return second;
    };
    const outs = [false, true].map((cut) => {
      const s = run(cut);
      s.L('l3', 21, 'c');
      s.R('r3', 13, 'b'); // late? watermark min(21, 20) - 1 = 19: 13 < 19, late
      s.L('l4', 40);
      s.R('r4', 40);
      return { out: s.out, late: s.late.map((l) => l.element.id), held: s.joined.held };
    });
    expect(outs[1].out).toEqual(outs[0].out.slice(outs[0].out.length - outs[1].out.length));
    expect(outs[1].late).toEqual(outs[0].late);
    expect(outs[1].held).toEqual(outs[0].held);
    expect(() => setup().joined.restore({ left: [], right: [], watermarks: [] } as never)).toThrow(StateShapeError);
  });
});

describe("the README's join example", () => {
  it('runs: orders with their payments (or unpaid), and with their user\'s latest profile', () => {
    type Order = { orderId: number; user: string; ts: number };
    type Payment = { orderId: number; amount: number; ts: number };
    type Profile = { id: string; country: string };
    const orders = new Stream<Order>();
    const payments = new Stream<Payment>();
    const profiles = new Stream<Profile>();
    const paid = orders.join(payments, { key: 'orderId', on: 'ts', within: { before: '1min', after: '1h' }, outOfOrder: '5s', how: 'left' });
    const lines: string[] = [];
    paid.sink(([order, payment]) => void lines.push(`${order.orderId} ${payment === null ? 'unpaid' : payment.amount}`));
    const withCountry = orders.joinLatest(profiles, { key: { left: 'user', right: 'id' }, ttl: '1d' }).sinkToList();
    profiles.emit({ id: 'ann', country: 'fr' });
    orders.emit({ orderId: 1, user: 'ann', ts: 0 });
    orders.emit({ orderId: 2, user: 'bob', ts: 1000 });
    payments.emit({ orderId: 1, amount: 30, ts: 60_000 });
    payments.emit({ orderId: 3, amount: 5, ts: 2 * 3_600_000 });
    orders.emit({ orderId: 4, user: 'ann', ts: 2 * 3_600_000 }); // both inputs' watermarks pass order 2's hour: unpaid
    expect(lines).toEqual(['1 30', '2 unpaid']);
    expect(withCountry.map(([o, p]) => `${o.orderId} ${p.country}`)).toEqual(['1 fr', '4 fr']);
  });
});
