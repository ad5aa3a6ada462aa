import { describe, expect, it } from 'vitest';
import { NodeError, RefCounter, runJob, Stream, StateShapeError, VirtualClock, type AsofJoinOptions, type JoinHow, type Meta } from '../../src/index.js';
import { joinSetup, part, type Ev } from './fixtures/join-setup.js';

/** An as-of join of two streams on a virtual clock (see joinSetup). */
const setup = (options: Partial<AsofJoinOptions<Ev, Ev, 'k', JoinHow>> = {}) => joinSetup((left, right) => left.joinAsof(right, { key: 'k', on: 'ts', ...options }));

describe('as-of join', () => {
  it('joins each left with the latest right of its key at or before its time, once the right watermark passes it', () => {
    const { joined, out, L, R } = setup();
    R('r1', 10);
    R('r2', 20);
    R('rb', 15, 'b'); // other key; 15 < 20 is behind the right watermark: late
    L('l1', 15); // below the right watermark (20): looked up now
    L('l2', 20); // at the watermark: a right at 20 may still come, so it waits
    L('l3', 5); // nothing at or before 5 (inner: no output)
    expect(out).toEqual(['l1+r1']);
    expect(joined.held.left).toBe(1);
    R('r3', 20); // equal times: the later arrival is the latest
    R('r4', 30);
    expect(out).toEqual(['l1+r1', 'l2+r3']);
  });

  it('a right element may arrive out of order above its watermark and still be the one picked', () => {
    const { out, L, R } = setup({ outOfOrder: 10 });
    R('r1', 30);
    L('l1', 25); // right watermark 20: waits
    R('r2', 22); // 22 >= 20: on time, the latest at or before 25
    R('r3', 40); // right watermark 30: l1 is complete
    expect(out).toEqual(['l1+r2']);
  });

  it('left join: a left with no version (or only one older than the TTL) pairs with null', () => {
    const { out, L, R } = setup({ how: 'left', ttl: 10 });
    R('r1', 100);
    R('r2', 200);
    L('l1', 50); // nothing at or before 50
    L('l2', 110); // r1 is 10 old: within the TTL
    L('l3', 111); // r1 is 11 old: expired, and no older one may stand in
    expect(out).toEqual(['l1+-', 'l2+r1', 'l3+-']);
  });

  it('frees a version once a newer one at or before the left watermark supersedes it, or the TTL expires it', () => {
    const { joined, L, R } = setup({ ttl: 50 });
    const done: string[] = [];
    const ref = (id: string): Meta => [{ ref: new RefCounter(() => done.push(id)) }];
    R('r1', 10, 'a', ref('r1'));
    R('r2', 20, 'a', ref('r2'));
    R('rb', 20, 'b', ref('rb'));
    L('l1', 15, 'a', ref('l1')); // looked up now (15 < 20) and passed on: released
    expect(done).toEqual(['l1']);
    L('l2', 21, 'a', ref('l2')); // left watermark 21 > 20: r1 is superseded by r2
    expect(done).toEqual(['l1', 'r1']);
    expect(joined.held).toEqual({ left: 1, right: 2 });
    L('l3', 71, 'b'); // left watermark 71: l2 still waits (21), so r2 stays for it
    expect(done).toEqual(['l1', 'r1']);
    R('r3', 80); // right watermark 80: l2 (with r2) and l3 (with rb) out; bound 71: rb and r2 are 51 old
    expect(done.slice(0, 3)).toEqual(['l1', 'r1', 'l2']);
    expect(done.slice(3).sort()).toEqual(['r2', 'rb']);
    expect(joined.held).toEqual({ left: 0, right: 1 });
  });

  it('elements below their own side\'s watermark go to the late stream, with the side and the watermark', () => {
    const { joined, out, late, L, R } = setup({ how: 'left' });
    joined.enableStats();
    R('r1', 20);
    R('r0', 19); // behind the right watermark: a left at 19 may have been emitted without it
    L('l1', 30);
    L('l0', 29); // behind the left watermark: its version may be freed
    expect(late.map((l) => [l.element.id, l.eventTime, l.watermark])).toEqual([
      ['r0', 19, 20],
      ['l0', 29, 30],
    ]);
    expect(late[0].reason).toMatch(/^right element of event time 19 is behind the right watermark 20/);
    expect(late[1].reason).toMatch(/^left element of event time 29 is behind the left watermark 30/);
    expect(joined.stats!.lateElements).toBe(2);
    expect(out).toEqual([]);
  });

  it('watermarks are per source partition with outOfOrder; an idle partition stops holding it back on a timer', async () => {
    const { clock, joined, out, L, R } = setup({ outOfOrder: 2, idleTimeout: 100 });
    R('r1', 10, 'a', part(0));
    R('r2', 50, 'a', part(1));
    L('l1', 30);
    expect(joined.watermarks.right).toBe(8);
    await clock.advance(99);
    expect(out).toEqual([]);
    await clock.advance(1); // right partition 0 idle: watermark 48, so l1 is complete with no new element
    expect(out).toEqual(['l1+r1']);
  });

  it('end of input looks up every waiting left; the table stays', async () => {
    const clock = new VirtualClock(0);
    const left = Stream.fromIterable<Ev>([{ k: 'a', ts: 5, id: 'l1' }, { k: 'b', ts: 6, id: 'l2' }], { clock });
    const right = Stream.fromIterable<Ev>([{ k: 'a', ts: 1, id: 'r1' }], { clock });
    const joined = left.joinAsof(right, { key: 'k', on: 'ts', how: 'left' });
    const out = joined.map(([l, r]) => `${l.id}+${r?.id ?? '-'}`).sinkToList();
    await runJob([left, right], { name: 'asof-end', handleSignals: false }).done;
    expect(out.sort()).toEqual(['l1+r1', 'l2+-']);
    expect(joined.held).toEqual({ left: 0, right: 1 });
  });

  it('a key function that throws, a missing key or a bad event time is an error naming the side, through the error policy; nothing else is lost', () => {
    const clock = new VirtualClock(0);
    const left = new Stream<Ev>({ clock });
    const right = new Stream<Ev>({ clock });
    const joined = left.joinAsof(right, {
      key: (x) => {
        if (x.k === 'boom') throw new Error('no key for boom');
        return x.k;
      },
      on: 'ts',
      how: 'left',
    });
    const out: string[] = [];
    joined.sink(([l, r]) => void out.push(`${l.id}+${r?.id ?? '-'}`));
    expect(() => left.emit({ k: 'boom', ts: 1, id: 'x' })).toThrow(NodeError);
    expect(() => left.emit({ k: 'boom', ts: 1, id: 'x' })).toThrow(/no key for boom/);
    expect(() => right.emit({ k: 'a', id: 'x' } as unknown as Ev)).toThrow(/right element's event time must be/);
    const dead: { element: Ev; error: unknown }[] = [];
    const letters = new Stream<any>();
    letters.sink((d) => void dead.push(d));
    joined.onError({ deadLetter: letters });
    right.emit({ k: 'a', ts: 1, id: 'r1' });
    left.emit({ k: 'boom', ts: 2, id: 'l-boom' });
    left.emit({ k: 'a', id: 'l-no-ts' } as unknown as Ev);
    right.emit({ k: undefined, ts: 3, id: 'r-no-key' } as unknown as Ev);
    right.emit({ k: 'a', ts: 4, id: 'r2' });
    left.emit({ k: 'a', ts: 2, id: 'l1' });
    expect(dead.map((d) => d.element.id)).toEqual(['l-boom', 'l-no-ts', 'r-no-key']);
    expect(String(dead[1].error)).toMatch(/left element's event time must be/);
    expect(out).toEqual(['l1+r1']);
    joined.onError('skip');
    left.emit({ k: 'boom', ts: 3, id: 'skipped' });
    left.emit({ k: 'a', ts: 3, id: 'l2' });
    expect(out).toEqual(['l1+r1', 'l2+r1']);
  });

  it('rejects bad options before connecting', () => {
    const a = new Stream<Ev>();
    const b = new Stream<Ev>();
    expect(() => a.joinAsof(b, { key: 'k', on: 'ts', ttl: -1 })).toThrow(/duration must be positive/);
    expect(() => a.joinAsof(b, { key: 'k', on: 'ts', how: 'outer' as 'left' })).toThrow(/how must be 'inner' or 'left'/);
    expect(() => a.joinAsof(b, { key: 'k', on: undefined as unknown as 'ts' })).toThrow(/`on` is required/);
    expect(a.downstreams).toHaveLength(0);
  });

  it('restores exactly: waiting lefts, versions and watermarks go on as before; a bad state is refused', () => {
    const run = (cut: boolean) => {
      const first = setup({ how: 'left', outOfOrder: 1, ttl: 30 });
      first.R('r1', 10);
      first.L('l1', 20);
      first.R('r2', 12, 'b');
      first.R('r3', 15);
      if (!cut) return first;
      const second = setup({ how: 'left', outOfOrder: 1, ttl: 30 });
      second.joined.restore(JSON.parse(JSON.stringify(first.joined.snapshot())));
      expect(second.joined.snapshot()).toEqual(first.joined.snapshot());
      return second;
    };
    const outs = [false, true].map((cut) => {
      const s = run(cut);
      s.L('l2', 25, 'b');
      s.R('r4', 13); // right watermark 14: late
      s.R('r5', 40);
      s.L('l3', 60);
      return { out: s.out, late: s.late.map((l) => l.element.id), held: s.joined.held };
    });
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[0]).toEqual({ out: ['l1+r3', 'l2+r2'], late: ['r4'], held: { left: 1, right: 1 } }); // l3 waits (the right watermark is 39); r5 alone can still be picked
    expect(() => setup().joined.restore({ left: [], right: [], watermarks: [] } as never)).toThrow(StateShapeError);
    expect(() => setup().joined.restore({ left: [] } as never)).toThrow(/asofJoin cannot restore this state: field "right"/);
  });
});

describe("the README's as-of join example", () => {
  it("runs: each order with its user's tier as it was at the order's time", () => {
    type Order = { orderId: number; user: string; ts: number };
    type Tier = { user: string; tier: string; ts: number };
    const orders = new Stream<Order>();
    const tiers = new Stream<Tier>();
    const tiered = orders.joinAsof(tiers, { key: 'user', on: 'ts', outOfOrder: '5s', ttl: '30d', how: 'left' });
    const lines = tiered.map(([o, t]) => `${o.orderId} ${t?.tier ?? 'none'}`).sinkToList();
    const day = 86_400_000;
    tiers.emit({ user: 'ann', tier: 'silver', ts: 0 });
    orders.emit({ orderId: 1, user: 'ann', ts: day }); // waits: a tier change up to 5 s late may still come
    tiers.emit({ user: 'ann', tier: 'gold', ts: 2 * day });
    orders.emit({ orderId: 2, user: 'bob', ts: 2 * day });
    orders.emit({ orderId: 3, user: 'ann', ts: 40 * day }); // gold is 38 days old: past the TTL
    tiers.emit({ user: 'bob', tier: 'gold', ts: 41 * day });
    expect(lines).toEqual(['1 silver', '2 none', '3 none']);
  });
});
