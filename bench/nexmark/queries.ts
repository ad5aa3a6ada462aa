/**
 * NEXMark Q1, Q2, Q5 and Q7 on the bid stream, written with the DataFrame API, and what each
 * query's output is checked by (the same summary streamz_nexmark.py computes).
 */
import { col, DataFrame, Stream, TimeWindowBase, walk, type Frame } from '../../src/index.js';

export const BID_SCHEMA = { auction: 'float64', bidder: 'float64', price: 'float64', dateTime: 'timestamp' } as const;
type BidFrame = DataFrame<typeof BID_SCHEMA>;

export interface Query {
  name: string;
  label: string;
  /** What streamz lacks for it, if anything. */
  streamzNote: string;
  build(sdf: BidFrame): DataFrame<any>;
  /** Fold one output frame into the check summary. */
  check(): { add(f: Frame): void; result(): unknown };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export const QUERIES: Query[] = [
  {
    name: 'q1',
    label: 'Q1 currency: price × 0.908',
    streamzNote: '`sdf.assign(price=sdf.price * 0.908)`',
    build: (s) => s.assign({ price: s.col('price').mul(0.908) }),
    check() {
      let n = 0;
      let sum = 0;
      return { add: (f) => ((n += f.length), (sum += (f.col('price').data as Float64Array).reduce((a, b) => a + b, 0))), result: () => [n, round2(sum)] };
    },
  },
  {
    name: 'q2',
    label: 'Q2 selection: auction % 123 = 0',
    streamzNote: '`sdf[sdf.auction % 123 == 0][["auction", "price"]]`',
    build: (s) => s.filter(s.col('auction').mod(123).eq(0)).select(['auction', 'price']),
    check() {
      let n = 0;
      let auctions = 0;
      let prices = 0;
      return {
        add(f) {
          n += f.length;
          for (let i = 0; i < f.length; i++) (auctions += f.get('auction', i) as number), (prices += f.get('price', i) as number);
        },
        result: () => [n, auctions, prices],
      };
    },
  },
  {
    name: 'q5',
    label: 'Q5 hot items: hopping 10 s / 2 s, bids per auction, the top',
    streamzNote: 'no hopping window: `accumulate` over 2 s panes with pandas `value_counts`, summed per window',
    build: (s) => {
      const counts = s.window({ hopping: '10s', slide: '2s', on: 'dateTime' }).groupby('auction').agg({ price: 'count' });
      return counts.filter(col('price_count').eq(col('price_count').max()));
    },
    check: windowRows(['auction', 'price_count']),
  },
  {
    name: 'q7',
    label: 'Q7 highest bid: tumbling 10 s, the bids at the max price',
    streamzNote: 'no tumbling event-time window: `accumulate` keeping each window\'s max and its rows (pandas)',
    build: (s) => s.window({ tumbling: '10s', on: 'dateTime' }).filter((rows) => rows.col('price').eq(rows.col('price').max())),
    check: windowRows(['auction', 'bidder', 'price']),
  },
];

/** Check of a windowed query: its rows as [window_start, ...columns], sorted. */
function windowRows(columns: string[]): Query['check'] {
  return () => {
    const rows: number[][] = [];
    return {
      add(f) {
        for (let i = 0; i < f.length; i++) rows.push([f.get('window_start', i) as number, ...columns.map((c) => f.get(c, i) as number)]);
      },
      result: () => rows.sort(lexicographic),
    };
  };
}

function lexicographic(a: number[], b: number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
  return 0;
}

/** Same results as streamz's: exactly, except Q1's float sum (summed in another order) to 1e-9 relative. */
export function agree(name: string, ours: unknown, theirs: unknown): boolean {
  if (name !== 'q1') return JSON.stringify(ours) === JSON.stringify(theirs);
  const [n1, s1] = ours as number[];
  const [n2, s2] = theirs as number[];
  return n1 === n2 && Math.abs(s1 - s2) <= 1e-9 * Math.abs(s2);
}

/** Build a query over a fresh source: push batches into `source`, `finish()` closes the open windows. */
export function pipeline(q: Query) {
  const source = new Stream<unknown>();
  const out = q.build(new DataFrame(source, { example: BID_SCHEMA }));
  const check = q.check();
  out.stream.sink((f) => check.add(f));
  const windows = walk(source).filter((n): n is TimeWindowBase<unknown, unknown, unknown> => n instanceof TimeWindowBase);
  return { source, check, finish: () => windows.forEach((w) => w.flush()) };
}
