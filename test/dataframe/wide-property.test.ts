// Property tests over the values that break things: unicode and prototype-named keys, nulls, NaN,
// ±Infinity, -0, duplicates, out-of-order and null timestamps, empty batches. Streaming results
// are compared with a plain recomputation over all rows, or (where the semantics are the batch
// boundaries' business only) with one batch of all rows.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AGG_OPS, DataFrame, Stream, type Frame } from '../../src/index.js';
import { close, naive, runs, split, splitArb } from './helpers.js';

interface WideRow {
  k: string | null;
  v: number; // NaN = null
  ts: number | null;
}

const SCHEMA = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;
const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'a', 'A', 'é', 'é', '日本', '🙂', 'ｆ', 'a\u0000b', ' '];
const keyArb = fc.option(fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: 'grapheme', maxLength: 3 })), { freq: 6 });
const valueArb = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0),
  fc.integer({ min: -5, max: 5 }), // duplicates
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
);
/** Timestamps may go back and may be missing. */
const tsArb = fc.option(fc.integer({ min: 0, max: 10_000 }).map((d) => 1_700_000_000_000 + d), { freq: 6 });
const rowsArb = fc.array(fc.record({ k: keyArb, v: valueArb, ts: tsArb }), { maxLength: 50 });

const columns = (rows: WideRow[]) => ({ k: rows.map((r) => r.k), v: Float64Array.from(rows.map((r) => r.v)), ts: rows.map((r) => r.ts) });

function pipeline() {
  const source = new Stream<unknown>();
  return { source, sdf: new DataFrame(source, { example: SCHEMA }) };
}
const collect = (frames: { stream: Stream<Frame> }) => {
  const out: Frame[] = [];
  frames.stream.sink((f) => void out.push(f));
  return out;
};

/** Equal within close()'s tolerance, or the same infinity. */
const agrees = (got: unknown, want: number, op: string, xs: number[]) => (Number.isFinite(want) ? close(got, want, op, xs) : got === want || (Number.isNaN(got) && Number.isNaN(want)));

/** `got` with each finite number replaced by `want`'s where the two are within 1e-9 · scale, so a
 * failing toEqual still shows the real difference. */
function withinTolerance(got: unknown, want: unknown, scale: number): unknown {
  if (typeof got === 'number' && typeof want === 'number') {
    const near = Number.isFinite(got) && Number.isFinite(want) && Math.abs(got - want) <= 1e-9 * Math.max(scale, Math.abs(got), Math.abs(want));
    return near ? want : got;
  }
  if (Array.isArray(got) && Array.isArray(want)) return got.map((g, i) => withinTolerance(g, want[i], scale));
  if (got && want && typeof got === 'object' && typeof want === 'object') {
    return Object.fromEntries(Object.entries(got).map(([k, g]) => [k, withinTolerance(g, (want as Record<string, unknown>)[k], scale)]));
  }
  return got;
}

describe('DataFrame kernels over awkward values', () => {
  it('cumulative groupby(k).agg(every op) equals a recomputation, for any key text', () => {
    fc.assert(
      fc.property(rowsArb, splitArb, (rows, sizes) => {
        const { source, sdf } = pipeline();
        const out = collect(sdf.groupby('k').agg({ v: [...AGG_OPS] }));
        for (const part of split(rows, sizes)) source.emit(columns(part));
        const groups = new Map<string, number[]>();
        for (const r of rows) if (r.k !== null) groups.set(r.k, [...(groups.get(r.k) ?? []), r.v]);
        const got = out.length === 0 ? [] : out.at(-1)!.toRows();
        expect(got.map((r) => r.k).sort()).toEqual([...groups.keys()].sort());
        for (const r of got) {
          const xs = groups.get(r.k as string)!;
          for (const op of AGG_OPS) {
            const want = naive(op, xs);
            if (!agrees(r[`v_${op}`], want, op, xs)) throw new Error(`key ${JSON.stringify(r.k)} ${op}: ${String(r[`v_${op}`])} vs ${want} (xs=${xs.map(String).join(',')})`);
          }
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it('valueCounts counts every key, __proto__ included', () => {
    fc.assert(
      fc.property(rowsArb, splitArb, (rows, sizes) => {
        const { source, sdf } = pipeline();
        const out = collect(sdf.col('k').valueCounts());
        for (const part of split(rows, sizes)) source.emit(columns(part));
        const counts = new Map<string, number>();
        for (const r of rows) if (r.k !== null) counts.set(r.k, (counts.get(r.k) ?? 0) + 1);
        const got = new Map((out.at(-1)?.toRows() ?? []).map((r) => [r.k as string, r.count as number]));
        expect(got).toEqual(counts);
      }),
      { numRuns: runs(150) },
    );
  });

  it('time windows, cumulative ops and rolling give the same rows however the batches fall (out-of-order and null timestamps, empty batches)', () => {
    fc.assert(
      fc.property(rowsArb, splitArb, (rows, sizes) => {
        // Rolling on time refuses a null or decreasing timestamp (below); the time window takes them.
        const timed = rows.every((r, i) => r.ts !== null && (i === 0 || r.ts >= rows[i - 1].ts!));
        const run = (parts: WideRow[][]) => {
          const { source, sdf } = pipeline();
          const v = sdf.col('v');
          // A table after every batch (empty ones too): the last one counts.
          const tables = [collect(sdf.window({ value: '2500ms', on: 'ts' }).groupby('k').agg({ v: ['sum', 'count', 'max'] })), collect(sdf.window({ n: 4 }).agg({ v: ['sum', 'min', 'last'] }))];
          // A row per input row.
          const perRow = [collect(v.cumsum()), collect(v.cummin()), collect(v.rolling(3).agg(['mean', 'max'])), ...(timed ? [collect(v.rolling('2s').sum())] : [])];
          for (const p of parts) source.emit(columns(p));
          return [...tables.map((o) => o.at(-1)?.toRows({ timestamps: 'ms' })), ...perRow.map((o) => o.flatMap((f) => f.toRows({ timestamps: 'ms' })))];
        };
        // Windows subtract what leaves them, so the last bits of a float depend on where batches
        // fall: numbers agree within 1e-9 of the largest magnitude the rows could sum to.
        const scale = rows.reduce((s, r) => (Number.isFinite(r.v) ? s + Math.abs(r.v) : s), 0);
        const want = run([rows]);
        expect(withinTolerance(run(split(rows, sizes)), want, scale)).toEqual(want);
      }),
      { numRuns: runs(100) },
    );
  });

  it('rolling on time refuses a null or decreasing timestamp with a clear error', () => {
    for (const [ts, error] of [
      [null, /rolling on "ts": null timestamp/],
      [1_699_999_999_999, /rolling on "ts": timestamps must be non-decreasing \(1699999999999 after 1700000000000\)/],
    ] as const) {
      const { source, sdf } = pipeline();
      sdf.col('v').rolling('2s').sum();
      expect(() => source.emit(columns([{ k: 'a', v: 1, ts: 1_700_000_000_000 }, { k: 'a', v: 2, ts }]))).toThrow(error);
    }
  });

  // Windows subtract what leaves them, and ∞ - ∞ is NaN: a window whose sum met an infinity is
  // recomputed from its rows once the infinity has left (dataframe/compensated.ts `subtractable`).
  it('a count window of sums recovers after ±Infinity leaves it', () => {
    fc.assert(
      fc.property(rowsArb, splitArb, (rows, sizes) => {
        const { source, sdf } = pipeline();
        const out = collect(sdf.window({ n: 4 }).agg({ v: ['sum'] }));
        for (const part of split(rows, sizes)) source.emit(columns(part));
        const last4 = rows.slice(-4).map((r) => r.v);
        const got = out.at(-1)?.toRows()[0]?.v_sum ?? 0;
        if (!agrees(got, naive('sum', last4), 'sum', last4)) throw new Error(`sum of ${last4.map(String).join(',')}: ${String(got)}`);
      }),
      { numRuns: runs(150) },
    );
  });
});
