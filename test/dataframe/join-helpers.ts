// Shared by the join tests: two DataFrame streams, output collection, a naive batch join, a Parquet round trip.
import fc from 'fast-check';
import { DataFrame, Stream, VirtualClock, type Frame, type LateElement } from '../../src/index.js';
import { parquetToTable, tableToParquet } from '../../src/checkpoint/parquet.js';
import type * as arrow from 'apache-arrow';

export const leftExample = { k: 'utf8', ts: 'timestamp', v: 'float64' } as const;
export const rightExample = { k: 'utf8', ts: 'timestamp', w: 'int32' } as const;
export type LRow = { k: string | null; ts: number | null; v: number };
export type RRow = { k: string | null; ts: number | null; w: number };

/** A left batch of [k, ts, v] rows and a right batch of [k, ts, w] rows, as column objects. */
export const L = (...rows: [string | null, number | null, number][]) => ({ k: rows.map((r) => r[0]), ts: rows.map((r) => r[1]), v: rows.map((r) => r[2]) });
export const R = (...rows: [string | null, number | null, number][]) => ({ k: rows.map((r) => r[0]), ts: rows.map((r) => r[1]), w: rows.map((r) => r[2]) });

export function twoStreams(clock = new VirtualClock()) {
  const l = new Stream<unknown>({ clock });
  const r = new Stream<unknown>({ clock });
  return { l, r, left: new DataFrame(l, { example: leftExample }), right: new DataFrame(r, { example: rightExample }), clock };
}

export function collect(df: DataFrame<any>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  df.stream.sink((f) => void out.push(...f.toRows({ timestamps: 'ms' })));
  return out;
}

/** Rows as a sorted list of JSON strings: join output order is not part of its meaning. */
export const bag = (rows: readonly object[]): string[] => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();

export const parquetRoundTrip = (t: arrow.Table): arrow.Table => parquetToTable(tableToParquet(t));

/** Rows arriving out of order by at most `jitter` behind the largest time seen (nominal time minus a jitter); a few with a null time. */
export function disordered<T>(row: fc.Arbitrary<T>, jitter: number, maxLength = 40): fc.Arbitrary<(T & { ts: number | null })[]> {
  return fc
    .array(fc.record({ row, dt: fc.constantFrom(0, 1, 1, 2, 3, 6), back: fc.integer({ min: 0, max: jitter }), nullTs: fc.integer({ min: 0, max: 15 }) }), { maxLength })
    .map((rs) => {
      let t = 1000;
      return rs.map(({ row, dt, back, nullTs }) => ({ ...row, ts: nullTs === 0 ? null : (t += dt) - back }));
    });
}

export const keyArb = fc.option(fc.constantFrom('a', 'b'), { freq: 8 });

/** What a property run needs of a join under test: its two inputs, its stateful node, what it emitted. */
export interface JoinRun {
  l: Stream<unknown>;
  r: Stream<unknown>;
  node: { snapshot(): arrow.Table; endOfInput(): unknown; late: Stream<LateElement<Frame>> };
  got: Record<string, unknown>[];
}

const columnsOf = (rows: object[]) => Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows.map((r) => (r as Record<string, unknown>)[k])]));

/**
 * Feed both sides' batches interleaved in `order` (each side keeps its own order); before step
 * `cutAt`, snapshot through Parquet and go on in a fresh join restored from it. Returns all
 * emitted rows and the rows each side sent to late (none seen unless `watchLate`: nothing reads them then).
 */
export function replay(lb: object[][], rb: object[][], order: boolean[], cutAt: number, make: (start?: arrow.Table) => JoinRun, watchLate = true) {
  const late: Record<string, object[]> = { left: [], right: [] };
  const start = (state?: arrow.Table) => {
    const p = make(state);
    if (watchLate) p.node.late.sink((e) => void late[String(e.key)].push(...e.element.toRows({ timestamps: 'ms' })));
    return p;
  };
  let p = start();
  const out: object[] = [];
  let i = 0;
  let j = 0;
  for (let n = 0; i < lb.length || j < rb.length; n++) {
    if (n === cutAt) {
      const state = parquetRoundTrip(p.node.snapshot());
      out.push(...p.got);
      p = start(state);
    }
    const takeLeft = j >= rb.length || (i < lb.length && order[n % order.length]);
    const rows = takeLeft ? lb[i++] : rb[j++];
    if (rows.length > 0) (takeLeft ? p.l : p.r).emit(columnsOf(rows));
  }
  p.node.endOfInput();
  return { out: [...out, ...p.got], late };
}

/** `rows` without one occurrence of each of `gone` (rows the join sent to late). */
export function without<T extends object>(rows: T[], gone: object[]): T[] {
  const left = bag(gone);
  return rows.filter((r) => {
    const i = left.indexOf(bag([r])[0]);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** A tumbling or hopping window of the property tests. */
export type Kind = { tumbling: number } | { hopping: number; slide: number };
const starts = (t: number, kind: Kind) => {
  const [size, slide] = 'tumbling' in kind ? [kind.tumbling, kind.tumbling] : [kind.hopping, kind.slide];
  const out: number[] = [];
  for (let s = Math.floor(t / slide) * slide; s > t - size; s -= slide) out.push(s);
  return { out, size };
};

/** The window join of two row lists, recomputed naively (`window_start` null for a left row with a null time). */
export function naiveWindowJoin(ls: LRow[], rs: RRow[], kind: Kind, how: 'inner' | 'left') {
  const out: object[] = [];
  for (const a of ls) {
    const { out: ws, size } = a.ts === null ? { out: [NaN], size: 0 } : starts(a.ts, kind);
    for (const s of ws) {
      let hit = false;
      for (const b of rs) {
        if (a.k === null || a.k !== b.k || b.ts === null || a.ts === null || !starts(b.ts, kind).out.includes(s)) continue;
        hit = true;
        out.push({ window_start: s, window_end: s + size, k: a.k, ts_x: a.ts, v: a.v, ts_y: b.ts, w: b.w });
      }
      if (!hit && how === 'left') out.push({ window_start: Number.isNaN(s) ? null : s, window_end: Number.isNaN(s) ? null : s + size, k: a.k, ts_x: a.ts, v: a.v, ts_y: null, w: null });
    }
  }
  return out;
}
