// Shared by the join tests: two DataFrame streams, output collection, a naive batch join, a Parquet round trip.
import fc from 'fast-check';
import { DataFrame, Stream, VirtualClock } from '../../src/index.js';
import { parquetToTable, tableToParquet } from '../../src/checkpoint/parquet.js';
import type * as arrow from 'apache-arrow';

export const leftExample = { k: 'utf8', ts: 'timestamp', v: 'float64' } as const;
export const rightExample = { k: 'utf8', ts: 'timestamp', w: 'int32' } as const;
export type LRow = { k: string | null; ts: number | null; v: number };
export type RRow = { k: string | null; ts: number | null; w: number };

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
