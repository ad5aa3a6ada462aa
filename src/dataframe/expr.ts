/**
 * Column expressions for filter/assign, evaluated per Frame:
 *   filterFrame(f, col('v').gt(0.5).and(col('k').ne('b')))
 *   assignFrame(f, { w: col('v').mul(2) })
 * Comparisons (gt lt ge le eq ne) work on numbers (float64/int32/bool/timestamp; a Date or ISO
 * string scalar compares with timestamps) and on strings (utf8, by code unit order). As in pandas,
 * a comparison with a null is false, except `ne`, which is true. Masks: and/or/not treat null as
 * false. Arithmetic (add sub mul div) gives float64 (timestamp +/- number stays timestamp);
 * nulls propagate as NaN; division by zero gives ±Infinity/NaN like numpy. abs keeps int32,
 * round(d) rounds half to even like numpy, astype converts (null stays null; utf8 -> number
 * parses, unparseable -> null).
 */
import { Frame, type BoolColumn, type Column, type DType, type Int32Column, isNullAt, toFloat64, valueAt } from './frame.js';
import { Dictionary } from './dictionary.js';
import { arithmetic, isColumn, roundHalfEven, scalarToNumber, type ArithOp } from './arithmetic.js';

export { roundHalfEven };

export type ScalarInput = number | string | boolean | Date | null;
export type ExprInput = Expr | ScalarInput;
export type CmpOp = 'gt' | 'lt' | 'ge' | 'le' | 'eq' | 'ne';

const STRCMP: Record<CmpOp, (a: string, b: string) => boolean> = {
  gt: (a, b) => a > b,
  lt: (a, b) => a < b,
  ge: (a, b) => a >= b,
  le: (a, b) => a <= b,
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
};

const boolCol = (data: Uint8Array): BoolColumn => ({ dtype: 'bool', data });

/** A comparison's parts, kept so that `filterFrame` can go from them straight to row indices. */
export interface Comparison {
  readonly op: CmpOp;
  readonly left: Expr;
  readonly right: ExprInput;
}

export class Expr {
  constructor(
    readonly evaluate: (frame: Frame) => Column,
    readonly label: string,
    readonly comparison?: Comparison,
  ) {}

  private cmp(op: CmpOp, other: ExprInput): Expr {
    const evaluate = (f: Frame) => compare(op, this.evaluate(f), other instanceof Expr ? other.evaluate(f) : other);
    return new Expr(evaluate, `(${this.label} ${op} ${lbl(other)})`, { op, left: this, right: other });
  }
  gt(o: ExprInput): Expr {
    return this.cmp('gt', o);
  }
  lt(o: ExprInput): Expr {
    return this.cmp('lt', o);
  }
  ge(o: ExprInput): Expr {
    return this.cmp('ge', o);
  }
  le(o: ExprInput): Expr {
    return this.cmp('le', o);
  }
  eq(o: ExprInput): Expr {
    return this.cmp('eq', o);
  }
  ne(o: ExprInput): Expr {
    return this.cmp('ne', o);
  }

  and(o: Expr): Expr {
    return new Expr((f) => logical(this.evaluate(f), o.evaluate(f), (a, b) => a & b), `(${this.label} & ${o.label})`);
  }
  or(o: Expr): Expr {
    return new Expr((f) => logical(this.evaluate(f), o.evaluate(f), (a, b) => a | b), `(${this.label} | ${o.label})`);
  }
  not(): Expr {
    return new Expr((f) => {
      const m = asMask(this.evaluate(f));
      const out = new Uint8Array(m.length);
      for (let i = 0; i < m.length; i++) out[i] = m[i] ^ 1;
      return boolCol(out);
    }, `~${this.label}`);
  }
  isNull(): Expr {
    return new Expr((f) => {
      const c = this.evaluate(f);
      const out = new Uint8Array(c.data.length);
      for (let i = 0; i < out.length; i++) out[i] = isNullAt(c, i) ? 1 : 0;
      return boolCol(out);
    }, `${this.label}.isnull()`);
  }
  notNull(): Expr {
    return this.isNull().not();
  }

  /** `this op other`, or reflected (`other op this`, Python's `__rsub__` ...: `col.rsub(2)` is `2 - col`). */
  private arith(op: ArithOp, other: ExprInput, reflected = false): Expr {
    const label = reflected ? `(${lbl(other)} ${op} ${this.label})` : `(${this.label} ${op} ${lbl(other)})`;
    return new Expr((f) => {
      const a = this.evaluate(f);
      const b = other instanceof Expr ? other.evaluate(f) : other;
      return reflected ? arithmetic(op, isColumn(b) ? b : broadcast(b, a.data.length, a), a) : arithmetic(op, a, b);
    }, label);
  }
  add(o: ExprInput): Expr {
    return this.arith('add', o);
  }
  sub(o: ExprInput): Expr {
    return this.arith('sub', o);
  }
  mul(o: ExprInput): Expr {
    return this.arith('mul', o);
  }
  div(o: ExprInput): Expr {
    return this.arith('div', o);
  }
  /** Python's `%`: the result has the sign of the divisor. */
  mod(o: ExprInput): Expr {
    return this.arith('mod', o);
  }
  /** Python's `//`: the quotient rounded down. */
  floordiv(o: ExprInput): Expr {
    return this.arith('floordiv', o);
  }
  pow(o: ExprInput): Expr {
    return this.arith('pow', o);
  }
  radd(o: ExprInput): Expr {
    return this.arith('add', o, true);
  }
  rsub(o: ExprInput): Expr {
    return this.arith('sub', o, true);
  }
  rmul(o: ExprInput): Expr {
    return this.arith('mul', o, true);
  }
  rdiv(o: ExprInput): Expr {
    return this.arith('div', o, true);
  }
  rmod(o: ExprInput): Expr {
    return this.arith('mod', o, true);
  }
  rfloordiv(o: ExprInput): Expr {
    return this.arith('floordiv', o, true);
  }
  rpow(o: ExprInput): Expr {
    return this.arith('pow', o, true);
  }
  /** Unary minus (int32 stays int32). */
  neg(): Expr {
    return new Expr((f) => {
      const c = this.evaluate(f);
      if (c.dtype === 'int32') return { ...c, data: c.data.map((x) => -x) } as Int32Column;
      if (c.dtype === 'utf8' || c.dtype === 'timestamp') throw new TypeError(`neg: not defined for ${c.dtype} (${this.label})`);
      return { dtype: 'float64', data: toFloat64(c).map((x) => -x) };
    }, `-${this.label}`);
  }

  /**
   * The aggregate of this expression over the whole frame it is evaluated on, on every row (pandas'
   * `df.v.max()` broadcast, nulls skipped): over a window's rows, the window's max (NEXMark Q7).
   */
  max(): Expr {
    return this.over('max', (xs) => xs.reduce((m, x) => (x > m || m !== m ? x : m), NaN));
  }
  min(): Expr {
    return this.over('min', (xs) => xs.reduce((m, x) => (x < m || m !== m ? x : m), NaN));
  }
  sum(): Expr {
    return this.over('sum', (xs) => xs.reduce((s, x) => (x === x ? s + x : s), 0));
  }
  count(): Expr {
    return this.over('count', (xs) => xs.reduce((n, x) => (x === x ? n + 1 : n), 0));
  }
  mean(): Expr {
    return this.over('mean', (xs) => {
      const n = xs.reduce((k, x) => (x === x ? k + 1 : k), 0);
      return n === 0 ? NaN : xs.reduce((s, x) => (x === x ? s + x : s), 0) / n;
    });
  }
  private over(name: 'max' | 'min' | 'sum' | 'count' | 'mean', agg: (xs: Float64Array) => number): Expr {
    return new Expr((f) => {
      const c = this.evaluate(f);
      if (c.dtype === 'utf8') throw new TypeError(`${name}: not defined for utf8 (${this.label})`);
      const keepsTime = c.dtype === 'timestamp' && (name === 'max' || name === 'min' || name === 'mean');
      return { dtype: keepsTime ? 'timestamp' : 'float64', data: new Float64Array(c.data.length).fill(agg(toFloat64(c))) };
    }, `${this.label}.${name}()`);
  }

  abs(): Expr {
    return new Expr((f) => {
      const c = this.evaluate(f);
      if (c.dtype === 'int32') return { ...c, data: c.data.map(Math.abs) } as Int32Column;
      if (c.dtype === 'utf8') throw new TypeError(`abs: not defined for utf8 (${this.label})`);
      return { dtype: 'float64', data: toFloat64(c).map(Math.abs) };
    }, `abs(${this.label})`);
  }

  round(decimals = 0): Expr {
    return new Expr((f) => {
      const c = this.evaluate(f);
      if (c.dtype === 'int32' && decimals >= 0) return c;
      if (c.dtype === 'utf8') throw new TypeError(`round: not defined for utf8 (${this.label})`);
      return { dtype: 'float64', data: toFloat64(c).map((x) => roundHalfEven(x, decimals)) };
    }, `round(${this.label}, ${decimals})`);
  }

  astype(dtype: DType): Expr {
    return new Expr((f) => castColumn(this.evaluate(f), dtype), `${this.label}.astype(${dtype})`);
  }
}

const lbl = (o: ExprInput): string => (o instanceof Expr ? o.label : JSON.stringify(o));

export function col(name: string): Expr {
  return new Expr((f) => f.col(name), name);
}

export function lit(v: ScalarInput): Expr {
  return new Expr((f) => broadcast(v, f.length), JSON.stringify(v));
}

export function assignFrame(frame: Frame, exprs: Record<string, Expr | Column | ScalarInput>): Frame {
  const cols: Record<string, Column> = {};
  for (const [name, e] of Object.entries(exprs)) {
    const c = e instanceof Expr ? e.evaluate(frame) : isColumn(e) ? e : broadcast(e, frame.length);
    if (c.data.length !== frame.length) throw new Error(`assign: column "${name}" has ${c.data.length} rows, frame has ${frame.length}`);
    cols[name] = c;
  }
  return frame.withColumns(cols);
}


/** A scalar as a column of n rows (a string scalar beside a timestamp column `like` is that time). */
function broadcast(v: ScalarInput, n: number, like?: Column): Column {
  if (typeof v === 'string' && like !== undefined && like.dtype !== 'utf8') return { dtype: 'float64', data: new Float64Array(n).fill(scalarToNumber(like, v)) };
  if (v === null) return { dtype: 'float64', data: new Float64Array(n).fill(NaN) };
  if (typeof v === 'number') return { dtype: 'float64', data: new Float64Array(n).fill(v) };
  if (typeof v === 'boolean') return boolCol(new Uint8Array(n).fill(v ? 1 : 0));
  if (v instanceof Date) return { dtype: 'timestamp', data: new Float64Array(n).fill(v.getTime()) };
  const d = new Dictionary();
  return { dtype: 'utf8', data: new Int32Array(n).fill(d.encode(v)), dict: d };
}

function asMask(c: Column): Uint8Array {
  if (c.dtype !== 'bool') throw new TypeError(`expected a bool mask, got ${c.dtype}`);
  if (!c.validity) return c.data;
  const out = new Uint8Array(c.data.length);
  for (let i = 0; i < out.length; i++) out[i] = c.validity[i] ? c.data[i] : 0;
  return out;
}

function logical(a: Column, b: Column, fn: (x: number, y: number) => number): Column {
  const x = asMask(a);
  const y = asMask(b);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = fn(x[i], y[i]);
  return boolCol(out);
}


export function compare(op: CmpOp, a: Column, b: Column | ScalarInput): Column {
  const n = a.data.length;
  const out = new Uint8Array(n);
  const nullResult = op === 'ne' ? 1 : 0;
  if (a.dtype === 'utf8') {
    if (b !== null && !isColumn(b)) {
      if (typeof b !== 'string') throw new TypeError(`cannot compare utf8 with ${typeof b}`);
      const codes = a.data;
      if (op === 'eq' || op === 'ne') {
        const k = a.dict.lookup(b);
        const hit = op === 'eq' ? 1 : 0;
        for (let i = 0; i < n; i++) out[i] = codes[i] < 0 ? nullResult : codes[i] === k ? hit : hit ^ 1;
      } else {
        const strs = a.dict.values();
        const table = new Uint8Array(strs.length);
        const fn = STRCMP[op];
        for (let j = 0; j < strs.length; j++) table[j] = fn(strs[j], b) ? 1 : 0;
        for (let i = 0; i < n; i++) out[i] = codes[i] < 0 ? nullResult : table[codes[i]];
      }
      return boolCol(out);
    }
    if (b === null) return boolCol(out.fill(nullResult));
    if (b.dtype !== 'utf8') throw new TypeError(`cannot compare utf8 with ${b.dtype}`);
    const fn = STRCMP[op];
    for (let i = 0; i < n; i++) {
      const x = a.dict.decode(a.data[i]);
      const y = b.dict.decode(b.data[i]);
      out[i] = x === null || y === null ? nullResult : fn(x, y) ? 1 : 0;
    }
    return boolCol(out);
  }
  if (isColumn(b) && b.dtype === 'utf8') throw new TypeError(`cannot compare ${a.dtype} with utf8`);
  return boolCol(compareNumbers(op, toFloat64(a), isColumn(b) ? toFloat64(b) : scalarToNumber(a, b), out));
}

/**
 * One loop per operator, so each comparison is inlined (a table of comparison functions made
 * one megamorphic call per row). Nulls (NaN) need no test: every comparison with NaN is false,
 * `!==` true, which is the null result pandas gives (False, and True for `!=`). `+(a > b)`, not
 * `a > b ? 1 : 0`: V8 compiles the conditional to a branch, which on random data mispredicts for
 * half the rows (6.3 ms per 1M rows against 0.9 ms; bench/RESULTS.md).
 */
function compareNumbers(op: CmpOp, x: Float64Array, y: Float64Array | number, out: Uint8Array): Uint8Array {
  const n = x.length;
  if (typeof y === 'number') {
    if (op === 'gt') for (let i = 0; i < n; i++) out[i] = +(x[i] > y);
    else if (op === 'lt') for (let i = 0; i < n; i++) out[i] = +(x[i] < y);
    else if (op === 'ge') for (let i = 0; i < n; i++) out[i] = +(x[i] >= y);
    else if (op === 'le') for (let i = 0; i < n; i++) out[i] = +(x[i] <= y);
    else if (op === 'eq') for (let i = 0; i < n; i++) out[i] = +(x[i] === y);
    else for (let i = 0; i < n; i++) out[i] = +(x[i] !== y);
  } else if (op === 'gt') for (let i = 0; i < n; i++) out[i] = +(x[i] > y[i]);
  else if (op === 'lt') for (let i = 0; i < n; i++) out[i] = +(x[i] < y[i]);
  else if (op === 'ge') for (let i = 0; i < n; i++) out[i] = +(x[i] >= y[i]);
  else if (op === 'le') for (let i = 0; i < n; i++) out[i] = +(x[i] <= y[i]);
  else if (op === 'eq') for (let i = 0; i < n; i++) out[i] = +(x[i] === y[i]);
  else for (let i = 0; i < n; i++) out[i] = +(x[i] !== y[i]);
  return out;
}

export function castColumn(c: Column, dtype: DType): Column {
  if (c.dtype === dtype) return c;
  const n = c.data.length;
  switch (dtype) {
    case 'float64':
    case 'timestamp': {
      if (c.dtype !== 'utf8') return { dtype, data: toFloat64(c).slice() };
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const s = c.dict.decode(c.data[i]);
        out[i] = s === null ? NaN : dtype === 'timestamp' ? Date.parse(s) : s.trim() === '' ? NaN : Number(s);
      }
      return { dtype, data: out };
    }
    case 'int32': {
      const x = c.dtype === 'utf8' ? (castColumn(c, 'float64').data as Float64Array) : toFloat64(c);
      const data = new Int32Array(n);
      let validity: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (!Number.isFinite(v)) {
          validity ??= new Uint8Array(n).fill(1);
          validity[i] = 0;
        } else data[i] = Math.trunc(v);
      }
      return validity ? { dtype, data, validity } : { dtype, data };
    }
    case 'bool': {
      const data = new Uint8Array(n);
      let validity: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        if (isNullAt(c, i)) {
          validity ??= new Uint8Array(n).fill(1);
          validity[i] = 0;
          continue;
        }
        const v = valueAt(c, i);
        data[i] = typeof v === 'string' ? (v.length > 0 ? 1 : 0) : v ? 1 : 0;
      }
      return validity ? { dtype, data, validity } : { dtype, data };
    }
    case 'utf8': {
      const d = new Dictionary();
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = valueAt(c, i);
        data[i] =
          v === null || (typeof v === 'number' && v !== v)
            ? -1
            : d.encode(c.dtype === 'timestamp' ? new Date(v as number).toISOString() : c.dtype === 'bool' ? (v ? 'True' : 'False') : String(v));
      }
      return { dtype, data, dict: d };
    }
  }
}
