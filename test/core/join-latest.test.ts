import { describe, expect, it } from 'vitest';
import { RefCounter, Stream, VirtualClock, type Meta } from '../../src/index.js';

interface Click {
  user: string;
  page: string;
}
interface Profile {
  id: string;
  country: string;
}

function setup(how: 'inner' | 'left' = 'inner', ttl?: number) {
  const clock = new VirtualClock(0);
  const clicks = new Stream<Click>({ clock });
  const profiles = new Stream<Profile>({ clock });
  const joined = clicks.joinLatest(profiles, { key: { left: 'user', right: 'id' }, how, ttl });
  const out: string[] = [];
  joined.sink(([c, p]) => void out.push(`${c.page}:${p?.country ?? '-'}`));
  const click = (user: string, page: string, meta?: Meta) => clicks.emit({ user, page }, meta);
  const profile = (id: string, country: string, meta?: Meta) => profiles.emit({ id, country }, meta);
  return { clock, joined, out, click, profile };
}

describe('table join (joinLatest)', () => {
  it('joins each element with the latest table element of its key at the time it arrives', () => {
    const { out, click, profile } = setup();
    click('ann', 'p0'); // no profile yet: an inner join drops it
    profile('ann', 'fr');
    click('ann', 'p1');
    profile('ann', 'de'); // replaces
    click('ann', 'p2');
    click('bob', 'p3');
    expect(out).toEqual(['p1:fr', 'p2:de']);
  });

  it('left join: an element without a table entry is paired with null', () => {
    const { out, click, profile } = setup('left');
    click('ann', 'p0');
    profile('ann', 'fr');
    click('ann', 'p1');
    expect(out).toEqual(['p0:-', 'p1:fr']);
  });

  it('forgets entries not updated for ttl (processing time), on a timer, releasing their references', async () => {
    const { clock, joined, out, click, profile } = setup('left', 100);
    const released: string[] = [];
    const ref = (id: string): Meta => [{ ref: new RefCounter(() => released.push(id)) }];
    profile('ann', 'fr', ref('ann-fr'));
    await clock.advance(60);
    profile('bob', 'it', ref('bob-it'));
    profile('ann', 'de', ref('ann-de')); // replaces ann-fr, which can join nothing more
    expect(released).toEqual(['ann-fr']);
    await clock.advance(99);
    click('ann', 'p1');
    expect(out).toEqual(['p1:de']);
    await clock.advance(1); // 100 ms since the last updates
    expect(released).toEqual(['ann-fr', 'bob-it', 'ann-de']);
    expect(joined.size).toBe(0);
    click('ann', 'p2');
    expect(out).toEqual(['p1:de', 'p2:-']);
  });

  it('a left element is released once pushed; a missing key is an error naming the side', () => {
    const { click, profile } = setup();
    const released: string[] = [];
    click('ann', 'p0', [{ ref: new RefCounter(() => released.push('p0')) }]);
    expect(released).toEqual(['p0']);
    expect(() => profile(undefined as unknown as string, 'fr')).toThrow(/right element has no key field "id"/);
  });

  it('restores the table with the entries\' ages, so a ttl runs on from where it was', async () => {
    const first = setup('left', 100);
    first.profile('ann', 'fr');
    await first.clock.advance(70);
    first.profile('bob', 'it');
    const state = JSON.parse(JSON.stringify(first.joined.snapshot()));
    expect(state).toEqual({ table: [{ key: 'ann', x: { id: 'ann', country: 'fr' }, age: 70 }, { key: 'bob', x: { id: 'bob', country: 'it' }, age: 0 }] });
    const second = setup('left', 100);
    await second.clock.advance(5000);
    second.joined.restore(state);
    second.click('ann', 'p1');
    await second.clock.advance(30); // ann's entry is 100 ms old
    second.click('ann', 'p2');
    second.click('bob', 'p3');
    expect(second.out).toEqual(['p1:fr', 'p2:-', 'p3:it']);
  });
});
