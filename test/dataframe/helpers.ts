// Shared helpers for the dataframe tests: random data, naive reference aggregations, comparison.
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { Frame, toRows, type AggOp, type RollOp, type WindowSpec } from '../../src/dataframe/index.js';

export interface Row {
  k: string | null;
  n: number | null; // int32 key
  b: boolean | null;
  v: number; // float64, NaN = null
  ts: number; // ms, non-decreasing
}

export const KEYS = ['a', 'b', 'c', 'd', 'e'];

export const valueArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 2, arbitrary: fc.integer({ min: -50, max: 50 }).map((x) => x / 4) },
  { weight: 4, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }) },
);

export const rowsArb = (maxLength = 60): fc.Arbitrary<Row[]> =>
  fc
    .array(
      fc.record({
        k: fc.option(fc.constantFrom(...KEYS), { freq: 8 }),
        n: fc.option(fc.integer({ min: -2, max: 2 }), { freq: 8 }),
        b: fc.option(fc.boolean(), { freq: 8 }),
        v: valueArb,
        dt: fc.constantFrom(0, 0, 1, 250, 500, 1000, 1500, 3000),
      }),
      { maxLength },
    )
    .map((rs) => {
      let t = 1_700_000_000_000;
      return rs.map(({ dt, ...r }) => ({ ...r, ts: (t += dt) }));
    });

/** Split points: an array of batch lengths summing to n (some may be 0). */
export const splitArb = fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 30 });

export function split<T>(rows: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  let j = 0;
  const allZero = sizes.every((s) => s === 0);
  while (i < rows.length) {
    const s = allZero ? 1 : sizes[j++ % sizes.length];
    out.push(rows.slice(i, i + s));
    i += s;
  }
  out.push([]);
  return out;
}

export const SCHEMA = { k: 'utf8', n: 'int32', b: 'bool', v: 'float64', ts: 'timestamp' } as const;

export function toColumnsObj(rows: Row[]) {
  return {
    k: rows.map((r) => r.k),
    n: rows.map((r) => r.n),
    b: rows.map((r) => r.b),
    v: Float64Array.from(rows.map((r) => r.v)),
    ts: Float64Array.from(rows.map((r) => r.ts)),
  };
}

// ---- naive reference aggregations (pandas semantics)
export function naive(op: string, xs: number[]): number {
  const vals = xs.filter((x) => !Number.isNaN(x));
  const n = vals.length;
  switch (op) {
    case 'sum':
      return vals.reduce((a, b) => a + b, 0);
    case 'count':
      return n;
    case 'size':
      return xs.length;
    case 'mean':
      return n === 0 ? NaN : vals.reduce((a, b) => a + b, 0) / n;
    case 'min':
      return n === 0 ? NaN : Math.min(...vals);
    case 'max':
      return n === 0 ? NaN : Math.max(...vals);
    case 'var':
    case 'std': {
      if (n < 2) return NaN;
      const m = vals.reduce((a, b) => a + b, 0) / n;
      const v = vals.reduce((a, b) => a + (b - m) * (b - m), 0) / (n - 1);
      return op === 'var' ? v : Math.sqrt(v);
    }
    case 'first':
      return n === 0 ? NaN : vals[0];
    case 'last':
      return n === 0 ? NaN : vals[n - 1];
    case 'nunique':
      return new Set(vals.map((x) => (Object.is(x, -0) ? 0 : x))).size;
    case 'median':
    case 'quantile': {
      if (n === 0) return NaN;
      const sorted = [...vals].sort((a, b) => a - b);
      const pos = (n - 1) / 2; // q = 0.5, linear interpolation
      return (sorted[Math.floor(pos)] + sorted[Math.ceil(pos)]) / 2;
    }
  }
  throw new Error(op);
}

/** Rolling ops a kind supports: expanding() keeps no rows, so no median or quantile. */
export function opsFor(kind: Kind, ops: readonly RollOp[]): RollOp[] {
  const ok = 'expanding' in kind ? ops.filter((op) => op !== 'median' && op !== 'quantile') : [...ops];
  return ok.length > 0 ? ok : ['sum'];
}

/** Tolerance: 1e-9 relative to the magnitude of the inputs (sums with removals cancel). */
export function close(actual: unknown, expected: number, op: string, xs: number[]): boolean {
  const a = actual as number;
  if (Number.isNaN(expected) || Number.isNaN(a)) return Number.isNaN(expected) && Number.isNaN(a);
  const mag = xs.reduce((s, x) => (Number.isNaN(x) ? s : s + Math.abs(x)), 0);
  if (op === 'var' || op === 'std') {
    const m2 = xs.reduce((s, x) => (Number.isNaN(x) ? s : s + x * x), 0);
    const aa = op === 'std' ? a * a : a;
    const ee = op === 'std' ? expected * expected : expected;
    return Math.abs(aa - ee) <= 1e-9 * Math.max(1, m2);
  }
  return Math.abs(a - expected) <= 1e-9 * Math.max(1, mag, Math.abs(expected));
}

export function keyCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a as number) < (b as number) ? -1 : 1;
}

/** Expected groupby rows: keys sorted pandas-style, null keys dropped. */
export function naiveGroupby(rows: Row[], by: (keyof Row)[], specs: { column: keyof Row; op: string }[]) {
  const groups = new Map<string, { key: unknown[]; rows: Row[] }>();
  for (const r of rows) {
    const key = by.map((k) => r[k]);
    if (key.some((x) => x === null)) continue;
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, rows: [] }));
    g.rows.push(r);
  }
  const list = [...groups.values()].sort((x, y) => {
    for (let i = 0; i < by.length; i++) {
      const c = keyCompare(x.key[i], y.key[i]);
      if (c) return c;
    }
    return 0;
  });
  return list.map((g) => ({
    key: g.key,
    values: specs.map((s) => {
      const xs = g.rows.map((r) => (r[s.column] === null ? NaN : Number(r[s.column])));
      return { op: s.op, xs, expected: naive(s.op, xs) };
    }),
  }));
}

/** Check a result frame against naiveGroupby output; returns a message or null. */
export function checkGroupby(result: Frame, expected: ReturnType<typeof naiveGroupby>, by: string[], names: string[]): string | null {
  const rows = toRows(result, { timestamps: 'ms' });
  if (rows.length !== expected.length) return `rows ${rows.length} vs expected ${expected.length}`;
  for (let i = 0; i < rows.length; i++) {
    const e = expected[i];
    for (let j = 0; j < by.length; j++) if (rows[i][by[j]] !== e.key[j]) return `row ${i} key ${by[j]}: ${String(rows[i][by[j]])} vs ${String(e.key[j])}`;
    for (let j = 0; j < names.length; j++) {
      const { op, xs, expected: ex } = e.values[j];
      if (!close(rows[i][names[j]], ex, op, xs)) return `row ${i} ${names[j]}: ${String(rows[i][names[j]])} vs ${ex} (xs=${JSON.stringify(xs)})`;
    }
  }
  return null;
}

export function ipcRoundTrip(t: arrow.Table): arrow.Table {
  return arrow.tableFromIPC(arrow.tableToIPC(t));
}

export { runs } from '../fixtures/runs.js';

// ---- rolling and window references (shared by the kernel tests and the stream-level tests)
export type Kind = { n: number } | { span: string; ms: number } | { expanding: true };
export const kindArb: fc.Arbitrary<Kind> = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((n) => ({ n })),
  fc.constantFrom({ span: '1s', ms: 1000 }, { span: '2500ms', ms: 2500 }, { span: '5s', ms: 5000 }),
  fc.constant({ expanding: true as const }),
);

/** naive rolling value for row i */
export function naiveRolling(rows: Row[], i: number, kind: Kind, op: RollOp, minp?: number): number {
  let win: Row[];
  let mp: number;
  if ('n' in kind) {
    win = rows.slice(Math.max(0, i - kind.n + 1), i + 1);
    mp = minp ?? kind.n;
  } else if ('span' in kind) {
    win = rows.slice(0, i + 1).filter((r) => r.ts > rows[i].ts - kind.ms);
    mp = minp ?? 1;
  } else {
    win = rows.slice(0, i + 1);
    mp = minp ?? 1;
  }
  const xs = win.map((r) => r.v);
  const nobs = xs.filter((x) => !Number.isNaN(x)).length;
  if (op === 'count') return win.length >= mp ? nobs : NaN;
  if (nobs < mp) return NaN;
  return naive(op, xs);
}

export const specArb: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map((n) => ({ n })),
  fc.constantFrom('1s', '2500ms', '5s', 3000).map((value) => ({ value, on: 'ts' })),
);

export function windowRows(seen: Row[], spec: WindowSpec): Row[] {
  if ('n' in spec) return spec.n === 0 ? [] : seen.slice(-spec.n);
  const span = typeof spec.value === 'number' ? spec.value : spec.value === '1s' ? 1000 : spec.value === '2500ms' ? 2500 : 5000;
  if (seen.length === 0) return [];
  const max = Math.max(...seen.map((r) => r.ts));
  return seen.filter((r) => r.ts > max - span);
}

export function expectedFor(win: Row[], by: (keyof Row)[], ops: AggOp[]) {
  const specs = ops.map((op) => ({ column: 'v' as const, op }));
  const exp = naiveGroupby(win, by, specs);
  if (by.length === 0) {
    const xs = win.map((r) => r.v);
    return [{ key: [], values: ops.map((op) => ({ op, xs, expected: naive(op, xs) })) }];
  }
  return exp;
}

