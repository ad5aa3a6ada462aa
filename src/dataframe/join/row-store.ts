/**
 * Rows of one schema in growable typed arrays, one per column (validity where the dtype has
 * one, utf8 as codes of the side's dictionaries): what a join holds, without a frame object per
 * batch. Rows are appended from frames aligned to the same dictionaries, gathered back into
 * frames with `take`, and compacted in place with `keep`. Capacity grows by a quarter, so at most
 * a fifth of the arrays is slack (join state is held long: memory counts more than a few more copies).
 */
import { Frame, takeColumn, type Column, type DType, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { nullColumn } from './layout.js';

type Data = Float64Array | Int32Array | Uint8Array;

interface Stored {
  name: string;
  dtype: DType;
  data: Data;
  /** int32 and bool: 1 = valid; allocated when a null first arrives. */
  validity?: Uint8Array;
  dict?: Dictionary;
}

/** A typed array of the same kind with room for `n` values, the first `used` copied. */
export function grown<A extends Data>(a: A, n: number, used: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a.subarray(0, used));
  return b;
}

/** 0, 1, …, n - 1. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

let identity = new Int32Array(0);
/** 0, 1, …, n - 1 as a view of one shared array: read only. */
export function firstRows(n: number): Int32Array {
  if (identity.length < n) identity = allRows(Math.max(n, 2 * identity.length));
  return identity.subarray(0, n);
}

/** Room for `need` values: the current capacity, or a quarter more than needed. */
export function capacityFor(need: number, current: number): number {
  return need <= current ? current : Math.max(16, need + (need >> 2));
}

export class RowStore {
  private readonly cols: Stored[];
  private size = 0;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
  ) {
    this.cols = Object.entries(schema).map(([name, dtype]) => ({ name, dtype, data: dtype === 'float64' || dtype === 'timestamp' ? new Float64Array(0) : dtype === 'bool' ? new Uint8Array(0) : new Int32Array(0) }));
  }

  get length(): number {
    return this.size;
  }

  /** Append rows `rows[0..n)` of `frame` (all of them, in order, when `n` is the frame's length); a column it lacks (nothing reads it now) is appended null. */
  append(frame: Frame, rows: ArrayLike<number>, n: number): void {
    const at = this.size;
    this.ensure(at + n);
    const whole = n === frame.length;
    for (const s of this.cols) {
      const missing = !frame.has(s.name);
      const c = (missing ? nullColumn(s.dtype, n, this.dicts[s.name]) : frame.col(s.name)) as Column & { validity?: Uint8Array };
      const dense = whole || missing; // all of the frame's rows, or the null column made for these rows
      if (dense) s.data.set(c.data as never, at);
      else scatter(s.data, c.data, rows, n, at);
      if (c.validity !== undefined || s.validity !== undefined) {
        if (s.validity === undefined) s.validity = new Uint8Array(s.data.length).fill(1, 0, at);
        if (c.validity === undefined) s.validity.fill(1, at, at + n);
        else if (dense) s.validity.set(c.validity, at);
        else scatter(s.validity, c.validity, rows, n, at);
      }
      if (s.dtype === 'utf8' && !missing) s.dict = (c as { dict: Dictionary }).dict;
    }
    this.size += n;
  }

  /** The stored values of float64 or timestamp column `name` (valid until the next append, keep or shrink). */
  floats(name: string): Float64Array {
    const s = this.cols.find((c) => c.name === name);
    if (s === undefined || !(s.data instanceof Float64Array)) throw new Error(`RowStore: ${name} is not a float64 column`);
    return s.data;
  }

  /** Rows `idx` as a frame (of the columns `names` only, if given). */
  take(idx: ArrayLike<number>, names?: readonly string[]): Frame {
    const cols: Record<string, Column> = {};
    for (const s of this.cols) if (names === undefined || names.includes(s.name)) cols[s.name] = takeColumn(this.column(s), idx);
    return new Frame(cols, idx.length);
  }

  /** Keep rows `idx[0..n)` (ascending), moved to the front in that order. */
  keep(idx: ArrayLike<number>, n: number): void {
    for (const s of this.cols) {
      scatter(s.data, s.data, idx, n, 0);
      if (s.validity !== undefined) scatter(s.validity, s.validity, idx, n, 0);
    }
    this.size = n;
  }

  clear(): void {
    this.size = 0;
  }

  /** Give back capacity beyond `cap` rows (at least the rows held). */
  shrink(cap: number): void {
    for (const s of this.cols) {
      s.data = grown(s.data, Math.max(cap, this.size), this.size);
      if (s.validity !== undefined) s.validity = grown(s.validity, Math.max(cap, this.size), this.size);
    }
  }

  private column(s: Stored): Column {
    if (s.dtype === 'utf8') return { dtype: 'utf8', data: s.data as Int32Array, dict: s.dict ?? this.dicts[s.name] };
    return { dtype: s.dtype, data: s.data, validity: s.validity } as Column;
  }

  /** Room for `n` rows in all, exactly (a store that knows how many rows will come). */
  reserve(n: number): void {
    for (const s of this.cols) {
      if (n <= s.data.length) continue;
      s.data = grown(s.data, n, this.size);
      if (s.validity !== undefined) s.validity = grown(s.validity, n, this.size);
    }
  }

  private ensure(need: number): void {
    for (const s of this.cols) {
      const cap = capacityFor(need, s.data.length);
      if (cap === s.data.length) continue;
      s.data = grown(s.data, cap, this.size);
      if (s.validity !== undefined) s.validity = grown(s.validity, cap, this.size);
    }
  }
}

/** `to[at + j] = from[rows[j]]` for j < n (in place when `to` is `from` and rows ascend from at). */
function scatter(to: Data, from: Data, rows: ArrayLike<number>, n: number, at: number): void {
  if (to instanceof Float64Array) for (let j = 0; j < n; j++) to[at + j] = (from as Float64Array)[rows[j]];
  else if (to instanceof Int32Array) for (let j = 0; j < n; j++) to[at + j] = (from as Int32Array)[rows[j]];
  else for (let j = 0; j < n; j++) to[at + j] = (from as Uint8Array)[rows[j]];
}
