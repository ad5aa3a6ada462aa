/**
 * Persons and auctions of the NEXMark event stream (Q3, Q8), from the same event numbering as
 * `generator.ts` (of every 50 events 1 person, 3 auctions, 46 bids; 10 000 events/s): a person
 * has a name, city and US state drawn from Beam's lists; an auction's seller is a hot person
 * (probability 3/4 in Beam: here 1/4 of sellers come from the last 100 persons, the rest from the
 * newest) and its category one of 5 (10..14). Emitted in chunks of events: each chunk gives one
 * persons batch and one auctions batch, persons first, as two Kafka topics read side by side.
 */
import { seededRandom } from '../../test/fixtures/random.js';
import { FIRST_AUCTION_ID, FIRST_PERSON_ID } from './generator.js';

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];

export interface Persons {
  id: Float64Array;
  name: string[];
  city: string[];
  state: string[];
  dateTime: Float64Array;
}
export interface Auctions {
  id: Float64Array;
  seller: Float64Array;
  category: Float64Array;
  dateTime: Float64Array;
}
export interface Chunk {
  persons: Persons;
  auctions: Auctions;
}

export function generatePeople(options: { events: number; chunkEvents: number; rate?: number; seed?: number; start?: number }): Chunk[] {
  const { events, chunkEvents, rate = 10_000, seed = 7, start = Date.UTC(2024, 0, 1) } = options;
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const chunks: Chunk[] = [];
  let persons = 0;
  let auctions = 0;
  for (let c = 0; c < events; c += chunkEvents) {
    const p: Persons = { id: new Float64Array(0), name: [], city: [], state: [], dateTime: new Float64Array(0) };
    const pid: number[] = [];
    const pts: number[] = [];
    const a = { id: [] as number[], seller: [] as number[], category: [] as number[], dateTime: [] as number[] };
    for (let e = c; e < Math.min(events, c + chunkEvents); e++) {
      const at = start + Math.floor((e * 1000) / rate);
      const k = e % 50;
      if (k === 0) {
        pid.push(FIRST_PERSON_ID + persons++);
        p.name.push(`${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`);
        p.city.push(pick(CITIES));
        p.state.push(pick(STATES));
        pts.push(at);
      } else if (k <= 3) {
        const recent = random() < 0.25 ? Math.floor(random() * Math.min(persons, 100)) : Math.floor(random() * Math.min(persons, 3));
        a.id.push(FIRST_AUCTION_ID + auctions++);
        a.seller.push(FIRST_PERSON_ID + persons - 1 - recent);
        a.category.push(10 + Math.floor(random() * 5));
        a.dateTime.push(at);
      }
    }
    p.id = Float64Array.from(pid);
    p.dateTime = Float64Array.from(pts);
    chunks.push({ persons: p, auctions: { id: Float64Array.from(a.id), seller: Float64Array.from(a.seller), category: Float64Array.from(a.category), dateTime: Float64Array.from(a.dateTime) } });
  }
  return chunks;
}
