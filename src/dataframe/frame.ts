/**
 * Frame: an immutable columnar batch. Column storage by dtype:
 *  - float64   Float64Array, NaN = null
 *  - timestamp Float64Array of ms since epoch, NaN = null
 *  - int32     Int32Array (+ optional validity Uint8Array, 1 = valid)
 *  - bool      Uint8Array of 0/1 (+ optional validity)
 *  - utf8      Int32Array codes into a shared growable Dictionary, -1 = null
 * Rows are positional (no index column); the stream layer numbers rows if it needs to.
 * Frames never mutate their arrays after construction; helpers return new frames
 * (slices share buffers, which is safe because nothing writes to them).
 */
import { Dictionary } from './dictionary.js';
import { float64s, int32s } from './slab.js';
import { NoColumnError } from './errors.js';

export type DType = 'float64' | 'int32' | 'bool' | 'utf8' | 'timestamp';
export type Schema = Record<string, DType>;

export interface Float64Column {
  readonly dtype: 'float64' | 'timestamp';
  readonly data: Float64Array;
}
export interface Int32Column {
  readonly dtype: 'int32';
  readonly data: Int32Array;
  readonly validity?: Uint8Array;
}
export interface BoolColumn {
  readonly dtype: 'bool';
  readonly data: Uint8Array;
  readonly validity?: Uint8Array;
}
export interface Utf8Column {
  readonly dtype: 'utf8';
  readonly data: Int32Array;
  readonly dict: Dictionary;
}
export type Column = Float64Column | Int32Column | BoolColumn | Utf8Column;
export type Scalar = number | string | boolean | null;

export const DTYPES: readonly DType[] = ['float64', 'int32', 'bool', 'utf8', 'timestamp'];

export function isNullAt(col: Column, i: number): boolean {
  switch (col.dtype) {
    case 'float64':
    case 'timestamp':
      return col.data[i] !== col.data[i];
    case 'utf8':
      return col.data[i] < 0;
    default:
      return col.validity !== undefined && col.validity[i] === 0;
  }
}

/** Decoded value of row i: number (float64/int32/timestamp ms; NaN for null float64), string, boolean or null. */
export function valueAt(col: Column, i: number): Scalar {
  switch (col.dtype) {
    case 'float64':
      return col.data[i];
    case 'timestamp': {
      const v = col.data[i];
      return v === v ? v : null;
    }
    case 'int32':
      return col.validity && col.validity[i] === 0 ? null : col.data[i];
    case 'bool':
      return col.validity && col.validity[i] === 0 ? null : col.data[i] === 1;
    case 'utf8':
      return col.dict.decode(col.data[i]);
  }
}

export function nullCount(col: Column): number {
  let n = 0;
  for (let i = 0; i < col.data.length; i++) if (isNullAt(col, i)) n++;
  return n;
}

/**
 * Numeric view as Float64Array with NaN for null: float64/timestamp are returned
 * as-is (no copy); int32/bool are converted; utf8 gives codes (null -> NaN).
 */
export function toFloat64(col: Column): Float64Array {
  if (col.dtype === 'float64' || col.dtype === 'timestamp') return col.data;
  const n = col.data.length;
  const out = new Float64Array(n);
  const d = col.data;
  if (col.dtype === 'utf8') {
    for (let i = 0; i < n; i++) out[i] = d[i] < 0 ? NaN : d[i];
    return out;
  }
  const va = (col as Int32Column | BoolColumn).validity;
  for (let i = 0; i < n; i++) out[i] = va && va[i] === 0 ? NaN : d[i];
  return out;
}

/** toFloat64 for kernels that need numbers: throws for utf8 columns. */
export function numericColumn(frame: Frame, name: string): Float64Array {
  const c = frame.col(name);
  if (c.dtype === 'utf8') throw new TypeError(`column "${name}" is utf8; this operation needs a numeric column`);
  return toFloat64(c);
}

export function emptyColumn(dtype: DType, dict?: Dictionary): Column {
  return makeColumn(dtype, 0, dict);
}

/** A zero-filled column of n rows (all values 0 / code 0; callers overwrite). */
export function makeColumn(dtype: DType, n: number, dict?: Dictionary): Column {
  switch (dtype) {
    case 'float64':
    case 'timestamp':
      return { dtype, data: new Float64Array(n) };
    case 'int32':
      return { dtype, data: new Int32Array(n) };
    case 'bool':
      return { dtype, data: new Uint8Array(n) };
    case 'utf8':
      return { dtype, data: new Int32Array(n), dict: dict ?? new Dictionary() };
  }
}

export function sliceColumn(col: Column, start: number, end: number): Column {
  switch (col.dtype) {
    case 'float64':
    case 'timestamp':
      return { dtype: col.dtype, data: col.data.subarray(start, end) };
    case 'utf8':
      return { dtype: 'utf8', data: col.data.subarray(start, end), dict: col.dict };
    case 'int32':
      return col.validity
        ? { dtype: 'int32', data: col.data.subarray(start, end), validity: col.validity.subarray(start, end) }
        : { dtype: 'int32', data: col.data.subarray(start, end) };
    case 'bool':
      return col.validity
        ? { dtype: 'bool', data: col.data.subarray(start, end), validity: col.validity.subarray(start, end) }
        : { dtype: 'bool', data: col.data.subarray(start, end) };
  }
}

/** Gather loops, one per array type: a single generic loop over all three is megamorphic and ~4x slower. */
function gatherF64(src: Float64Array, idx: ArrayLike<number>, out = new Float64Array(idx.length)): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = src[idx[i]];
  return out;
}
function gatherI32(src: Int32Array, idx: ArrayLike<number>, out = new Int32Array(idx.length)): Int32Array {
  for (let i = 0; i < out.length; i++) out[i] = src[idx[i]];
  return out;
}
function gatherU8(src: Uint8Array, idx: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < out.length; i++) out[i] = src[idx[i]];
  return out;
}

/** Rows `idx` of `col`; `batch`: into arrays cut from the slab (slab.ts), for a frame that flows on rather than state that stays. */
export function takeColumn(col: Column, idx: ArrayLike<number>, batch = false): Column {
  const n = idx.length;
  if (col.dtype === 'utf8') return { dtype: 'utf8', data: gatherI32(col.data, idx, batch ? int32s(n) : undefined), dict: col.dict };
  if (col.dtype === 'float64' || col.dtype === 'timestamp') return { dtype: col.dtype, data: gatherF64(col.data, idx, batch ? float64s(n) : undefined) };
  const data = col.dtype === 'int32' ? gatherI32(col.data, idx) : gatherU8((col as BoolColumn).data, idx);
  const cv = (col as Int32Column | BoolColumn).validity;
  if (!cv) return { dtype: col.dtype, data } as Column;
  const validity = new Uint8Array(n);
  for (let i = 0; i < n; i++) validity[i] = cv[idx[i]];
  return { dtype: col.dtype, data, validity } as Column;
}

/** Concatenate columns of one dtype; utf8 columns are re-encoded into the first column's dictionary if needed. */
export function concatColumns(cols: readonly Column[], dtype?: DType, dict?: Dictionary): Column {
  if (cols.length === 0) {
    if (!dtype) throw new Error('concatColumns: no columns and no dtype');
    return emptyColumn(dtype, dict);
  }
  const first = cols[0];
  let n = 0;
  for (const c of cols) {
    if (c.dtype !== first.dtype) throw new Error(`concatColumns: dtype ${c.dtype} differs from ${first.dtype}`);
    n += c.data.length;
  }
  const out = makeColumn(first.dtype, n, first.dtype === 'utf8' ? first.dict : undefined);
  let off = 0;
  const anyValidity = cols.some((c) => (c.dtype === 'int32' || c.dtype === 'bool') && c.validity !== undefined);
  const validity = anyValidity ? new Uint8Array(n) : undefined;
  for (const c of cols) {
    const len = c.data.length;
    if (out.dtype === 'utf8' && c.dtype === 'utf8' && c.dict !== out.dict) {
      for (let i = 0; i < len; i++) {
        const s = c.dict.decode(c.data[i]);
        out.data[off + i] = s === null ? -1 : out.dict.encode(s);
      }
    } else {
      (out.data as Int32Array).set(c.data as Int32Array, off);
    }
    if (validity) {
      const v = (c as Int32Column | BoolColumn).validity;
      if (v) validity.set(v, off);
      else validity.fill(1, off, off + len);
    }
    off += len;
  }
  if (validity) return { ...(out as Int32Column | BoolColumn), validity } as Column;
  return out;
}

/** Row positions where mask is 1 (and valid). Branch-free: masks from comparisons are unpredictable. */
export function maskToIndices(mask: Uint8Array, validity?: Uint8Array): Int32Array {
  const m = validity ? mask.map((x, i) => x & validity[i]) : mask;
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i] & 1;
  const out = new Int32Array(n + 1); // one spare slot: the loop writes before it knows whether to keep
  let j = 0;
  for (let i = 0; i < m.length; i++) {
    out[j] = i;
    j += m[i] & 1;
  }
  return out.subarray(0, n);
}

export class Frame {
  readonly length: number;
  readonly schema: Readonly<Schema>;
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Column>>;

  constructor(columns: Record<string, Column>, length?: number) {
    const names = Object.keys(columns);
    let len = length;
    for (const name of names) {
      const l = columns[name].data.length;
      if (len === undefined) len = l;
      else if (l !== len) throw new Error(`Frame: column "${name}" has ${l} rows, expected ${len}`);
    }
    this.length = len ?? 0;
    this.names = names;
    this.columns = Object.freeze({ ...columns });
    const schema: Schema = {};
    for (const name of names) schema[name] = columns[name].dtype;
    this.schema = Object.freeze(schema);
  }

  /** An empty frame of the given schema; utf8 columns use `dicts[name]` when given. */
  static empty(schema: Schema, dicts: Record<string, Dictionary> = {}): Frame {
    const cols: Record<string, Column> = {};
    for (const [name, dtype] of Object.entries(schema)) cols[name] = emptyColumn(dtype, dicts[name]);
    return new Frame(cols, 0);
  }

  /** Concatenate frames with identical column names and dtypes (empty list needs `schema`). */
  static concat(frames: readonly Frame[], schema?: Schema, dicts?: Record<string, Dictionary>): Frame {
    const nonEmpty = frames.filter((f) => f.length > 0);
    if (nonEmpty.length === 1) return nonEmpty[0];
    const base = frames[0];
    if (!base) {
      if (!schema) throw new Error('Frame.concat: no frames and no schema');
      return Frame.empty(schema, dicts);
    }
    const cols: Record<string, Column> = {};
    for (const name of base.names) {
      cols[name] = concatColumns(
        frames.map((f) => f.col(name)),
        base.schema[name],
      );
    }
    return new Frame(cols);
  }

  col(name: string): Column {
    const c = this.columns[name];
    if (!c) throw new NoColumnError('Frame', name, this.names);
    return c;
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.columns, name);
  }

  /** Decoded value at (row, column). */
  get(name: string, row: number): Scalar {
    return valueAt(this.col(name), row);
  }

  /** Rows [start, end) sharing buffers with this frame. */
  slice(start: number, end: number = this.length): Frame {
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    if (s === 0 && e === this.length) return this;
    const cols: Record<string, Column> = {};
    for (const name of this.names) cols[name] = sliceColumn(this.columns[name], s, e);
    return new Frame(cols, e - s);
  }

  /** Rows `indices`; `batch` as in `takeColumn`. */
  take(indices: ArrayLike<number>, batch = false): Frame {
    const cols: Record<string, Column> = {};
    for (const name of this.names) cols[name] = takeColumn(this.columns[name], indices, batch);
    return new Frame(cols, indices.length);
  }

  /** Keep rows whose mask is 1 (a null mask entry drops the row, like pandas with a nullable boolean mask). */
  filter(mask: Uint8Array | BoolColumn): Frame {
    const m = mask instanceof Uint8Array ? mask : mask.data;
    const v = mask instanceof Uint8Array ? undefined : mask.validity;
    if (m.length !== this.length) throw new Error(`Frame.filter: mask has ${m.length} rows, frame has ${this.length}`);
    return this.take(maskToIndices(m, v));
  }

  select(names: readonly string[]): Frame {
    const cols: Record<string, Column> = {};
    for (const name of names) cols[name] = this.col(name);
    return new Frame(cols, this.length);
  }

  /** A new frame with columns added or replaced (appended at the end when new). */
  withColumns(extra: Record<string, Column>): Frame {
    return new Frame({ ...this.columns, ...extra }, this.length);
  }

  /** Bytes held by the column buffers this frame references (shared buffers counted fully once per column). */
  byteLength(): number {
    let b = 0;
    for (const name of this.names) {
      const c = this.columns[name];
      b += c.data.byteLength;
      if ((c.dtype === 'int32' || c.dtype === 'bool') && c.validity) b += c.validity.byteLength;
    }
    return b;
  }
}

/**
 * Make every utf8 column of `frame` use `dicts[name]` (re-encoding the codes of a column that
 * uses another dictionary). Kernels call this so codes always mean the same strings.
 */
export function alignDicts(frame: Frame, dicts: Record<string, Dictionary>): Frame {
  let changed: Record<string, Column> | undefined;
  for (const name of frame.names) {
    const c = frame.columns[name];
    if (c.dtype !== 'utf8') continue;
    let d = dicts[name];
    if (!d) d = dicts[name] = new Dictionary();
    if (c.dict === d) continue;
    const map = new Int32Array(c.dict.size);
    const src = c.dict.values();
    for (let j = 0; j < map.length; j++) map[j] = d.encode(src[j]);
    const codes = new Int32Array(c.data.length);
    for (let i = 0; i < codes.length; i++) codes[i] = c.data[i] < 0 ? -1 : map[c.data[i]];
    (changed ??= {})[name] = { dtype: 'utf8', data: codes, dict: d };
  }
  return changed ? frame.withColumns(changed) : frame;
}
