// Shared helpers of the streamz DataFrame ports.
import { readFileSync } from 'node:fs';
import { DataFrame, type Frame, type Schema } from '../../src/dataframe/index.js';
import { Stream } from '../core/nodes/streamframe.js';

/** Expected values computed with pandas 1.5.3 by confirm/expected.py (null = NaN). */
export const expected = JSON.parse(readFileSync(new URL('./fixtures/expected.json', import.meta.url), 'utf8'));

/** null in a fixture is pandas' NaN. */
export const nan = (v: unknown): unknown =>
  v === null ? NaN : Array.isArray(v) ? v.map(nan) : typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, nan(x)])) : v;

/** streamz's `pd.DataFrame({'x': [1, 2, 3], 'y': [4, 5, 6]})`. */
export const df123 = { x: [1, 2, 3], y: [4, 5, 6] };
export const exampleXY = { x: 'float64', y: 'float64' } as const;

export function setup<S extends Schema>(example: S) {
  const source = new Stream<unknown>();
  return { source, sdf: new DataFrame(source, { example }) };
}

/** Each emitted frame as rows. */
export function rowsOf(d: { stream: Stream<Frame> }): Record<string, unknown>[][] {
  const out: Record<string, unknown>[][] = [];
  d.stream.sink((f) => void out.push(f.toRows({ timestamps: 'ms' })));
  return out;
}

/** Each emitted one-row frame's value in `column`. */
export function valuesOf(d: { stream: Stream<Frame> }, column: string): unknown[] {
  const out: unknown[] = [];
  d.stream.sink((f) => void out.push(f.toRows()[0]?.[column]));
  return out;
}

/** Rows `[start, end)` of a column object. */
export function iloc<C extends Record<string, unknown[]>>(cols: C, start: number, end?: number): C {
  return Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v.slice(start, end)])) as C;
}

export function toBeCloseRows(actual: Record<string, unknown>[], want: Record<string, unknown>[]): void {
  if (actual.length !== want.length) throw new Error(`rows: ${JSON.stringify(actual)} vs ${JSON.stringify(want)}`);
  actual.forEach((r, i) => {
    for (const [k, v] of Object.entries(want[i])) {
      const a = r[k];
      const ok = typeof v === 'number' && typeof a === 'number' ? (Number.isNaN(v) ? Number.isNaN(a) : Math.abs(a - v) <= 1e-9 * Math.max(1, Math.abs(v))) : a === v;
      if (!ok) throw new Error(`row ${i} ${k}: ${String(a)} vs ${String(v)} in ${JSON.stringify(actual)}`);
    }
  });
}

export const HOUR = 3_600_000;
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The aggregations test_groupby_windowing_value runs. */
export const VALUE_FUNCS: [string, (g: any) => any][] = [
  ['sum', (g) => g.sum()],
  ['mean', (g) => g.mean()],
  ['count', (g) => g.count()],
  ['var1', (g) => g.var({ ddof: 1 })],
  ['std', (g) => g.std()],
  ['var0', (g) => g.var({ ddof: 0 })],
];

/**
 * test_groupby_windowing_value's run: 49 hourly rows (x, y = x % 2, ts) in batches of 13, then an
 * empty one; the first and last results are compared with pandas' `[first, last]`.
 */
export function checkHourlyWindows(build: (sdf: DataFrame<{ x: 'float64'; y: 'float64'; ts: 'timestamp' }>) => { stream: Stream<Frame> }, want: unknown): void {
  const t0 = Date.UTC(2000, 0, 1);
  const n = 49;
  const df = { x: range(n), y: range(n).map((i) => i % 2), ts: range(n).map((i) => t0 + i * HOUR) };
  const { source, sdf } = setup({ x: 'float64', y: 'float64', ts: 'timestamp' } as const);
  const L = rowsOf(build(sdf));
  for (let i = 0; i < n; i += 13) source.emit(iloc(df, i, i + 13));
  source.emit(iloc(df, 0, 0));
  if (L.length !== 5) throw new Error(`expected 5 results, got ${L.length}`);
  const [first, last] = nan(want) as Record<string, unknown>[][];
  toBeCloseRows(L[0], first);
  toBeCloseRows(L.at(-1)!, last);
}
