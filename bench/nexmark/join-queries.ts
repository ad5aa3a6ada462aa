/**
 * NEXMark Q3 and Q8 (joins of persons and auctions) with the DataFrame API, and their checks
 * (the same summaries streamz_joins.py computes).
 *  - Q3 local item suggestion: auctions of category 10 joined with their seller, a person in
 *    OR, ID or CA: an as-of join on the persons (the latest person row of the seller at the
 *    auction's time: a table of persons).
 *  - Q8 new users: persons who opened an auction in the 10 s tumbling window they joined in: a
 *    window join.
 */
import { DataFrame, Stream, type AsofJoinNode, type Frame, type FrameWindowJoinNode } from '../../src/index.js';
import type { Chunk } from './people.js';

export const PERSON_SCHEMA = { id: 'float64', name: 'utf8', city: 'utf8', state: 'utf8', dateTime: 'timestamp' } as const;
export const AUCTION_SCHEMA = { id: 'float64', seller: 'float64', category: 'float64', dateTime: 'timestamp' } as const;

export function q3(persons: DataFrame<typeof PERSON_SCHEMA>, auctions: DataFrame<typeof AUCTION_SCHEMA>) {
  const st = persons.col('state');
  const local = persons.filter(st.eq('OR').or(st.eq('ID')).or(st.eq('CA')));
  const cat10 = auctions.filter(auctions.col('category').eq(10));
  const joined = cat10.join(local, { leftOn: 'seller', rightOn: 'id', asof: { on: 'dateTime' }, how: 'inner', suffixes: ['', '_person'] });
  return { out: joined.select(['name', 'city', 'state', 'id']), node: joined.stream as unknown as AsofJoinNode };
}

export function q8(persons: DataFrame<typeof PERSON_SCHEMA>, auctions: DataFrame<typeof AUCTION_SCHEMA>) {
  const joined = persons.join(auctions, { leftOn: 'id', rightOn: 'seller', window: { tumbling: '10s', on: 'dateTime' }, suffixes: ['', '_auction'] });
  return { out: joined.select(['window_start', 'id', 'name']), node: joined.stream.upstreams[0] as unknown as FrameWindowJoinNode };
}

/** Q3: [auction id, name, city, state] sorted; Q8: distinct [window_start, person id] sorted. */
export function checker(name: 'q3' | 'q8') {
  const rows: (string | number)[][] = [];
  const seen = new Set<string>();
  return {
    add(f: Frame) {
      for (let i = 0; i < f.length; i++) {
        if (name === 'q3') rows.push([f.get('id', i) as number, f.get('name', i) as string, f.get('city', i) as string, f.get('state', i) as string]);
        else {
          const r = [f.get('window_start', i) as number, f.get('id', i) as number];
          if (!seen.has(String(r))) seen.add(String(r)), rows.push(r);
        }
      }
    },
    result: () => rows.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)),
  };
}

/** `keep`: keep the output frames for `result()` (off when measuring what the join itself holds). */
export function joinPipeline(name: 'q3' | 'q8', keep = true) {
  const ps = new Stream<unknown>();
  const as = new Stream<unknown>();
  const built = (name === 'q3' ? q3 : q8)(new DataFrame(ps, { example: PERSON_SCHEMA }), new DataFrame(as, { example: AUCTION_SCHEMA }));
  // Frames are kept and checked after the timed run (streamz's side summarises after timing too).
  const frames: Frame[] = [];
  built.out.stream.sink((f) => void (keep && frames.push(f)));
  return {
    push: (c: Chunk) => {
      ps.emit(c.persons);
      as.emit(c.auctions);
    },
    finish: () => built.node.endOfInput(),
    node: built.node,
    result: () => {
      const check = checker(name);
      frames.forEach((f) => check.add(f));
      return check.result();
    },
  };
}
