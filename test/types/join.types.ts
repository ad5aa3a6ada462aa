// Type tests for the core joins: checked by `tsc --noEmit` (not run). Each @ts-expect-error must be a real type error.
import { Stream } from '../../src/index.js';

interface Order {
  orderId: number;
  user: string;
  ts: number;
}
interface Payment {
  orderId: number;
  amount: number;
  at: Date;
  ts: number;
}
interface Profile {
  id: string;
  country: string;
}
interface Click {
  user: string;
  page: string;
  ts: number;
}

const orders = new Stream<Order>();
const payments = new Stream<Payment>();
const profiles = new Stream<Profile>();
const clicks = new Stream<Click>();

// The joined element is [left, right], inferred from both sides.
const paid: Stream<[Order, Payment]> = orders.join(payments, { key: 'orderId', on: 'ts', within: '1h' });
paid.map(([o, p]) => o.user.length + p.amount);
// A left join pairs an unmatched left with null.
const maybePaid: Stream<[Order, Payment | null]> = orders.join(payments, { key: 'orderId', on: 'ts', within: { before: 0, after: '1h' }, how: 'left' });
maybePaid.map(([, p]) => p?.amount ?? 0);
// @ts-expect-error under a left join the right may be null
orders.join(payments, { key: 'orderId', on: 'ts', within: '1h', how: 'left' }).map(([, p]) => p.amount);
// @ts-expect-error an inner join's element is not a left join's
const wrongHow: Stream<[Order, Payment]> = orders.join(payments, { key: 'orderId', on: 'ts', within: '1h', how: 'left' });

// Keys and times per side, as fields or functions; one function for both sides.
orders.join(payments, { key: { left: 'orderId', right: (p) => p.orderId }, on: { left: 'ts', right: 'at' }, within: 10 });
orders.join(payments, { key: (x) => x.orderId, on: (x) => x.ts, within: 10 });

// @ts-expect-error the key field must exist on both sides
orders.join(payments, { key: 'user', on: 'ts', within: 10 });
// @ts-expect-error a key of another type on each side does not compile (number vs string)
orders.join(payments, { key: { left: 'user', right: 'orderId' }, on: 'ts', within: 10 });
// @ts-expect-error nor does it with functions
orders.join(payments, { key: { left: (o) => o.user, right: (p) => p.orderId }, on: 'ts', within: 10 });
// @ts-expect-error a field both sides have, but of another type on each (string vs number), is no key
new Stream<{ id: string; ts: number }>().join(new Stream<{ id: number; ts: number }>(), { key: 'id', on: 'ts', within: 10 });
// @ts-expect-error the event time must be a number or a Date field
orders.join(payments, { key: 'orderId', on: { left: 'user', right: 'at' }, within: 10 });
// @ts-expect-error within is required
orders.join(payments, { key: 'orderId', on: 'ts' });

// Table join: the latest profile of the click's user.
const enriched: Stream<[Click, Profile]> = clicks.joinLatest(profiles, { key: { left: 'user', right: 'id' }, ttl: '1d' });
const maybeEnriched: Stream<[Click, Profile | null]> = clicks.joinLatest(profiles, { key: { left: 'user', right: 'id' }, how: 'left' });
// @ts-expect-error user (string) and orderId (number) are no common key
clicks.joinLatest(orders, { key: { left: 'user', right: 'orderId' } });

export { paid, maybePaid, wrongHow, enriched, maybeEnriched };
