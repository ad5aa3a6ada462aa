/**
 * A deterministic NEXMark event generator, after the NEXMark paper and Beam's
 * `GeneratorConfig`/`NexmarkUtils`: of every 50 events 1 is a new person, 3 are new auctions and 46
 * are bids; event time advances by a fixed inter-event delay (10 000 events/s by default). Bids go
 * to a "hot" auction with probability 1/2 (else one of the last 100 auctions) and come from a hot
 * bidder with probability 3/4 (else one of the last 1000 persons), as Beam's defaults skew them;
 * prices are log-uniform between 1 and 10^6 cents. The queries here read the bid stream, as
 * Flink's and Beam's NEXMark do; persons and auctions are counted but not materialised.
 */
import { seededRandom } from '../../test/fixtures/random.js';

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
const PROPORTION = 50;
const PERSONS = 1;
const AUCTIONS = 3;
const HOT_RATIO = 100;

/** Bids as columns (what a Kafka consumer of the bid topic hands over once parsed). */
export interface Bids {
  auction: Float64Array;
  bidder: Float64Array;
  price: Float64Array;
  dateTime: Float64Array;
}

export interface GeneratorOptions {
  events: number;
  /** Events per second of event time. */
  rate?: number;
  seed?: number;
  /** Event time of the first event (ms). */
  start?: number;
}

/** How many persons and auctions exist once `eventId` events were generated. */
function counts(eventId: number): { persons: number; auctions: number } {
  const epoch = Math.floor(eventId / PROPORTION);
  const offset = eventId % PROPORTION;
  return { persons: epoch * PERSONS + Math.min(offset, PERSONS), auctions: epoch * AUCTIONS + Math.max(0, Math.min(offset - PERSONS, AUCTIONS)) };
}

export function generateBids(options: GeneratorOptions): Bids {
  const { events, rate = 10_000, seed = 42, start = Date.UTC(2024, 0, 1) } = options;
  const random = seededRandom(seed);
  const nextInt = (n: number) => Math.floor(random() * n);
  let n = 0;
  for (let e = 0; e < events; e++) if (e % PROPORTION >= PERSONS + AUCTIONS) n++;
  const bids: Bids = { auction: new Float64Array(n), bidder: new Float64Array(n), price: new Float64Array(n), dateTime: new Float64Array(n) };
  let i = 0;
  for (let e = 0; e < events; e++) {
    if (e % PROPORTION < PERSONS + AUCTIONS) continue;
    const { persons, auctions } = counts(e);
    const hotAuction = Math.floor(Math.max(0, auctions - 1) / HOT_RATIO) * HOT_RATIO;
    const auction = nextInt(2) > 0 ? hotAuction : Math.max(0, auctions - 100) + nextInt(Math.min(auctions, 100) + 1);
    const hotBidder = Math.floor(Math.max(0, persons - 1) / HOT_RATIO) * HOT_RATIO + 1;
    const bidder = nextInt(4) > 0 ? hotBidder : Math.max(0, persons - 1000) + nextInt(Math.min(persons, 1000) + 1);
    bids.auction[i] = FIRST_AUCTION_ID + auction;
    bids.bidder[i] = FIRST_PERSON_ID + bidder;
    bids.price[i] = Math.round(10 ** (random() * 6) * 100);
    bids.dateTime[i] = start + Math.floor((e * 1000) / rate);
    i++;
  }
  return bids;
}

/** The bids cut into batches of `rows` (views, no copies). */
export function batchesOf(bids: Bids, rows: number): Bids[] {
  const out: Bids[] = [];
  for (let s = 0; s < bids.auction.length; s += rows) {
    const e = Math.min(s + rows, bids.auction.length);
    out.push({ auction: bids.auction.subarray(s, e), bidder: bids.bidder.subarray(s, e), price: bids.price.subarray(s, e), dateTime: bids.dateTime.subarray(s, e) });
  }
  return out;
}
