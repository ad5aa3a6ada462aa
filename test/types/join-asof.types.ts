// Type tests for the core as-of join: checked by `tsc --noEmit` (not run). Each @ts-expect-error must be a real type error.
import { Stream, type TemporalJoinNode } from '../../src/index.js';

interface Trade {
  symbol: string;
  qty: number;
  ts: number;
}
interface Quote {
  symbol: string;
  bid: number;
  at: Date;
  ts: number;
}
interface Listing {
  ticker: string;
  venue: number;
  ts: number;
}

const trades = new Stream<Trade>();
const quotes = new Stream<Quote>();
const listings = new Stream<Listing>();

// The joined element is [left, right], inferred from both sides; `late` carries either side's elements.
const priced: Stream<[Trade, Quote]> = trades.joinAsof(quotes, { key: 'symbol', on: 'ts', outOfOrder: '1s', ttl: '1h' });
priced.map(([t, q]) => t.qty * q.bid);
const node: TemporalJoinNode<Trade, Quote, [Trade, Quote]> = trades.joinAsof(quotes, { key: 'symbol', on: { left: 'ts', right: 'at' } });
node.late.map(({ element }) => ('bid' in element ? element.bid : element.qty));
// A left join pairs a left with no version with null.
const maybePriced: Stream<[Trade, Quote | null]> = trades.joinAsof(quotes, { key: 'symbol', on: 'ts', how: 'left' });
maybePriced.map(([, q]) => q?.bid ?? 0);
// @ts-expect-error under a left join the right may be null
trades.joinAsof(quotes, { key: 'symbol', on: 'ts', how: 'left' }).map(([, q]) => q.bid);
// @ts-expect-error an inner join's element is not a left join's
const wrongHow: Stream<[Trade, Quote]> = trades.joinAsof(quotes, { key: 'symbol', on: 'ts', how: 'left' });

// Keys as one function for both sides, or per side.
trades.joinAsof(quotes, { key: (x) => x.symbol, on: 'ts' });
trades.joinAsof(listings, { key: { left: 'symbol', right: (l) => l.ticker }, on: 'ts' });

// Primitive elements: the key and time functions take them (a number has no time fields to offer instead).
const numbers: Stream<[number, number]> = new Stream<number>().joinAsof(new Stream<number>(), { key: (x) => x % 2, on: (x) => x });

// @ts-expect-error a key function for one side's elements only does not take the other's (Quote is no Trade)
trades.joinAsof(quotes, { key: (t: Trade) => t.symbol, on: 'ts' });
// @ts-expect-error a per-side key function of the wrong side's type
trades.joinAsof(listings, { key: { left: (l: Listing) => l.ticker, right: 'ticker' }, on: 'ts' });
// @ts-expect-error key functions giving another type on each side (string vs number)
trades.joinAsof(listings, { key: { left: (t) => t.symbol, right: (l) => l.venue }, on: 'ts' });
// @ts-expect-error key fields of another type on each side (string vs number)
trades.joinAsof(listings, { key: { left: 'symbol', right: 'venue' }, on: 'ts' });
// @ts-expect-error the key field must exist on both sides
trades.joinAsof(listings, { key: 'symbol', on: 'ts' });
// @ts-expect-error the event time must be a number or a Date field
trades.joinAsof(quotes, { key: 'symbol', on: { left: 'symbol', right: 'at' } });
// @ts-expect-error `on` is required: an as-of join is on event time
trades.joinAsof(quotes, { key: 'symbol' });
// @ts-expect-error a ttl is a duration
trades.joinAsof(quotes, { key: 'symbol', on: 'ts', ttl: true });

export { priced, node, maybePriced, wrongHow, numbers };
