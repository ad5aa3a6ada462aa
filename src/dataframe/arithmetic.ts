/**
 * Element-wise arithmetic of columns and scalars, as numpy does it on float64: nulls (NaN)
 * propagate, division by zero gives ±Infinity or NaN, `mod` and `floordiv` follow Python
 * (`-7 % 3 == 2`, `-7 // 2 == -4`), `pow` is `**`. A timestamp plus or minus a number stays a
 * timestamp; everything else is float64.
 */
import { toFloat64, type Column } from './frame.js';
import type { ScalarInput } from './expr.js';
import { float64s } from './slab.js';

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'floordiv' | 'pow';

const OPS: Record<'mod' | 'floordiv' | 'pow', (x: number, y: number) => number> = {
  mod: (x, y) => {
    const r = x % y;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  },
  floordiv: (x, y) => Math.floor(x / y),
  pow: (x, y) => x ** y,
};

export const isColumn = (x: unknown): x is Column => typeof x === 'object' && x !== null && 'dtype' in x && 'data' in x;

export function scalarToNumber(c: Column, v: ScalarInput): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (v === null) return NaN;
  if (c.dtype === 'timestamp') {
    const t = Date.parse(v);
    if (t !== t) throw new TypeError(`cannot compare timestamp with "${v}"`);
    return t;
  }
  throw new TypeError(`cannot compare ${c.dtype} with string "${v}"`);
}

export function arithmetic(op: ArithOp, a: Column, b: Column | ScalarInput): Column {
  if (a.dtype === 'utf8' || (isColumn(b) && b.dtype === 'utf8') || typeof b === 'string') {
    throw new TypeError(`${op}: arithmetic is not defined for strings`);
  }
  const x = toFloat64(a);
  const n = x.length;
  const out = float64s(n); // a per-batch column (slab.ts)
  const y = isColumn(b) ? toFloat64(b) : undefined;
  const s = y === undefined ? scalarToNumber(a, b as ScalarInput) : 0;
  // One loop per operator: a shared loop calling OPS[op] would be a megamorphic call per element.
  switch (op) {
    case 'add':
      if (y) for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] + s;
      break;
    case 'sub':
      if (y) for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] - s;
      break;
    case 'mul':
      if (y) for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] * s;
      break;
    case 'div':
      if (y) for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] / s;
      break;
    default: {
      const fn = OPS[op as keyof typeof OPS];
      if (y) for (let i = 0; i < n; i++) out[i] = fn(x[i], y[i]);
      else for (let i = 0; i < n; i++) out[i] = fn(x[i], s);
    }
  }
  const ts = a.dtype === 'timestamp' && (op === 'add' || op === 'sub') && !(isColumn(b) && b.dtype === 'timestamp');
  return { dtype: ts ? 'timestamp' : 'float64', data: out };
}

/** numpy-style rounding: half to even at the given number of decimals. */
export function roundHalfEven(x: number, decimals = 0): number {
  if (!Number.isFinite(x)) return x;
  const m = Math.pow(10, decimals);
  const y = x * m;
  const r = Math.round(y);
  const diff = r - y;
  const rounded = Math.abs(diff) === 0.5 ? (r % 2 === 0 ? r : r - 1) : r;
  return rounded / m;
}
