/**
 * Normalize a batch into a Frame against an example schema. Accepted batches:
 *  - a column object `{ col: array | typed array }`
 *  - an array of row objects
 *  - an array of JSON lines (Buffers or strings, one object each: Kafka values undecoded)
 *  - an apache-arrow Table (or anything with `schema.fields` and `getChild`)
 *  - a danfo DataFrame (duck-typed: `columns` plus `values`/`$data`)
 * utf8 columns are encoded into the Ingestor's dictionaries, shared by all frames it makes.
 */
import * as arrow from 'apache-arrow';
import { Dictionary } from './dictionary.js';
import { Frame, type Column, type DType, type Schema } from './frame.js';
import { RaggedBatchError, SchemaMismatchError } from './errors.js';
import { convertArrowVector } from './arrow-ingest.js';
import { isJsonLines, readJsonLines, type JsonLine, type JsonTarget } from './json-lines.js';
import { rowColumn, rowReader, rowStorage, type SlowCell } from './row-reader.js';
import { float64s, int32s } from './slab.js';

export type ColumnInput = ArrayLike<unknown>;
export type ColumnObject = Record<string, ColumnInput>;
export type RowObject = Record<string, unknown>;
export type Batch = ColumnObject | readonly RowObject[] | readonly JsonLine[] | arrow.Table | DanfoLike | Frame;

export interface DanfoLike {
  columns: string[];
  values?: unknown;
  $data?: unknown;
}

export interface IngestOptions {
  /** Dictionaries to share with other ingestors/kernels (created when absent). */
  dicts?: Record<string, Dictionary>;
  /** What to do with columns not in the schema: throw (default) or drop them. */
  extra?: 'error' | 'drop';
}

export class Ingestor {
  readonly schema: Readonly<Schema>;
  readonly dicts: Record<string, Dictionary>;
  private readonly names: string[];
  private readonly extra: 'error' | 'drop';

  constructor(schema: Schema, opts: IngestOptions = {}) {
    this.schema = Object.freeze({ ...schema });
    this.names = Object.keys(schema);
    // Columns live in plain objects throughout the DataFrame code, where these names are not plain keys.
    const reserved = this.names.find((n) => n in Object.prototype);
    if (reserved !== undefined) {
      throw new TypeError(`DataFrame: a column may not be named ${JSON.stringify(reserved)} (a built-in property name of JavaScript objects); rename it`);
    }
    this.dicts = opts.dicts ?? {};
    for (const n of this.names) if (schema[n] === 'utf8' && !this.dicts[n]) this.dicts[n] = new Dictionary();
    this.extra = opts.extra ?? 'error';
  }

  empty(): Frame {
    return Frame.empty(this.schema, this.dicts);
  }

  /**
   * `only`: the columns the pipeline reads (undefined: all). A column object's other columns are
   * checked (a bad value fails the batch as before) but not converted, and left out of the frame;
   * with `share` (nothing downstream keeps a reference: `ColumnReader`s, a filter) its Float64Array
   * and Int32Array columns among `only` are shared, not copied (a copy per batch was a third of
   * rolling(100).mean()'s time outside its loop).
   */
  ingest(batch: Batch, only?: ReadonlySet<string>, share = only !== undefined): Frame {
    if (batch instanceof Frame) return this.fromFrame(batch);
    if (Array.isArray(batch)) return batch.length > 0 && isJsonLines(batch) ? this.fromJsonLines(batch) : this.fromRows(batch as readonly RowObject[]);
    if (batch === null || typeof batch !== 'object') {
      throw new TypeError(`ingest: unsupported batch of type ${describe(batch)}`);
    }
    if (isArrowTable(batch)) return this.fromArrow(batch);
    if (isDanfo(batch)) return this.fromDanfo(batch);
    return this.fromColumns(batch as ColumnObject, only, share);
  }

  fromColumns(obj: ColumnObject, only?: ReadonlySet<string>, share = only !== undefined): Frame {
    const keys = Object.keys(obj);
    if (keys.length === 0) return this.empty();
    this.checkNames(keys);
    let len = -1;
    let ragged = false;
    for (const n of this.names) {
      const v = obj[n];
      if (v === null || v === undefined || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
        throw new SchemaMismatchError(n, `${this.schema[n]} column (array)`, describe(v));
      }
      if (len < 0) len = v.length;
      else if (v.length !== len) ragged = true;
    }
    if (ragged) {
      const lengths: Record<string, number> = {};
      for (const n of this.names) lengths[n] = obj[n].length;
      throw new RaggedBatchError(lengths);
    }
    const cols: Record<string, Column> = {};
    for (const n of this.names) {
      if (only !== undefined && !only.has(n)) checkColumn(n, this.schema[n], obj[n]);
      else cols[n] = (share ? sharedColumn(this.schema[n], obj[n]) : undefined) ?? convertColumn(n, this.schema[n], obj[n], this.dicts[n]);
    }
    return new Frame(cols, Math.max(len, 0));
  }

  fromRows(rows: readonly RowObject[]): Frame {
    if (rows.length === 0) return this.empty();
    const t = this.rowTarget(rows.length);
    rowReader(this.schema, this.names)(rows, t.cols, t.dicts, t.slow);
    return this.rowFrame(t, rows.length);
  }

  /** JSON lines (one object per Buffer or string, as a Kafka consumer hands over values) → columns. */
  fromJsonLines(lines: readonly JsonLine[]): Frame {
    if (lines.length === 0) return this.empty();
    const t = this.rowTarget(lines.length);
    readJsonLines(lines, t);
    return this.rowFrame(t, lines.length);
  }

  /** Where row-wise input is written: a column per schema name, and the conversion of unusual cells. */
  private rowTarget(n: number): JsonTarget {
    const names = this.names;
    const dicts = names.map((c) => this.dicts[c]);
    const slow: SlowCell = (j, v, i) => {
      if (j < 0) throw new TypeError(`ingest: row ${i} is ${describe(v)}, expected an object`);
      const c = names[j];
      return this.schema[c] === 'utf8' ? utf8Cell(c, v, i, dicts[j]!) : float64Cell(c, this.schema[c], v, i);
    };
    return { names, schema: this.schema, dicts, slow, cols: { data: names.map((c) => rowStorage(this.schema[c], n)), odd: new Set(), present: names.map(() => false) } };
  }

  private rowFrame(t: JsonTarget, n: number): Frame {
    this.checkNames([...this.names.filter((_, j) => t.cols.present[j]), ...t.cols.odd]);
    const out: Record<string, Column> = {};
    this.names.forEach((c, j) => (out[c] = rowColumn(c, this.schema[c], t.cols.data[j], this.dicts[c], convertColumn)));
    return new Frame(out, n);
  }

  fromArrow(table: arrow.Table): Frame {
    const fields = table.schema.fields.map((f) => f.name);
    if (table.numRows === 0 && fields.length === 0) return this.empty();
    this.checkNames(fields);
    const cols: Record<string, Column> = {};
    for (const n of this.names) {
      const vec = table.getChild(n);
      if (!vec) throw new SchemaMismatchError(n, this.schema[n], 'missing column');
      cols[n] = convertArrowVector(n, this.schema[n], vec, this.dicts[n]);
    }
    return new Frame(cols, table.numRows);
  }

  fromDanfo(df: DanfoLike): Frame {
    const names = df.columns;
    const rows = (df.values ?? df.$data) as unknown[][];
    const obj: Record<string, unknown[]> = {};
    for (let j = 0; j < names.length; j++) obj[names[j]] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      for (let j = 0; j < names.length; j++) obj[names[j]][i] = r[j];
    }
    if (rows.length === 0) {
      if (names.length === 0) return this.empty();
      this.checkNames(names);
      return this.empty();
    }
    return this.fromColumns(obj);
  }

  fromFrame(f: Frame): Frame {
    this.checkNames(f.names as string[]);
    const cols: Record<string, Column> = {};
    for (const n of this.names) {
      const c = f.col(n);
      const want = this.schema[n];
      if (c.dtype !== want) throw new SchemaMismatchError(n, want, c.dtype);
      if (c.dtype === 'utf8' && c.dict !== this.dicts[n]) {
        const codes = new Int32Array(c.data.length);
        const d = this.dicts[n];
        for (let i = 0; i < codes.length; i++) {
          const s = c.dict.decode(c.data[i]);
          codes[i] = s === null ? -1 : d.encode(s);
        }
        cols[n] = { dtype: 'utf8', data: codes, dict: d };
      } else cols[n] = c;
    }
    return new Frame(cols, f.length);
  }

  private checkNames(present: readonly string[]): void {
    const have = new Set(present);
    for (const n of this.names) {
      if (!have.has(n)) throw new SchemaMismatchError(n, this.schema[n], 'missing column');
    }
    if (this.extra === 'error') {
      for (const p of present) {
        if (!Object.prototype.hasOwnProperty.call(this.schema, p)) {
          throw new SchemaMismatchError(p, 'no such column (not in the example schema)', 'extra column');
        }
      }
    }
  }
}

/** One-shot ingest (creates dictionaries unless given). */
export function ingest(batch: Batch, schema: Schema, opts?: IngestOptions): Frame {
  return new Ingestor(schema, opts).ingest(batch);
}

/** Infer a schema from a column object or rows: Float64Array/numbers -> float64, Int32Array -> int32, strings -> utf8, Date -> timestamp, booleans -> bool. */
export function inferSchema(batch: ColumnObject | readonly RowObject[]): Schema {
  const out: Schema = {};
  const sample = (name: string, arr: ArrayLike<unknown>): DType => {
    if (arr instanceof Float64Array || arr instanceof Float32Array) return 'float64';
    if (arr instanceof Int32Array || arr instanceof Int16Array || arr instanceof Int8Array) return 'int32';
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') return 'utf8';
      if (typeof v === 'boolean') return 'bool';
      if (v instanceof Date) return 'timestamp';
      if (typeof v === 'number' || typeof v === 'bigint') return 'float64';
      throw new SchemaMismatchError(name, 'a supported value', describe(v));
    }
    return 'float64';
  };
  if (Array.isArray(batch)) {
    const rows = batch as readonly RowObject[];
    const names = new Set<string>();
    for (const r of rows) for (const k in r) names.add(k);
    for (const n of names) out[n] = sample(n, rows.map((r) => r[n]));
  } else {
    for (const [n, arr] of Object.entries(batch as ColumnObject)) out[n] = sample(n, arr);
  }
  return out;
}

// ---------------------------------------------------------------- conversion

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isInteger(v) ? `number (${v})` : `float64 (${v})`;
  if (typeof v === 'string') return `string (${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)})`;
  if (typeof v === 'boolean') return `bool (${v})`;
  if (typeof v === 'bigint') return `bigint (${v})`;
  if (v instanceof Date) return 'Date';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function mismatch(name: string, dtype: DType, v: unknown, row: number): SchemaMismatchError {
  return new SchemaMismatchError(name, dtype, describe(v), `at row ${row}`);
}

const isTyped = (a: unknown): a is ArrayLike<number> & ArrayBufferView =>
  ArrayBuffer.isView(a) && !(a instanceof DataView) && !(a instanceof BigInt64Array) && !(a instanceof BigUint64Array);
const isBigTyped = (a: unknown): a is BigInt64Array | BigUint64Array =>
  a instanceof BigInt64Array || a instanceof BigUint64Array;

/** A float64/timestamp cell that is not a number: null, a bigint, a Date or a date string; else the schema error. */
function float64Cell(name: string, dtype: DType, v: unknown, row: number): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'bigint') return Number(v);
  if (dtype === 'timestamp' && v instanceof Date) return v.getTime();
  if (dtype === 'timestamp' && typeof v === 'string') {
    const t = Date.parse(v);
    if (t !== t) throw new SchemaMismatchError(name, dtype, describe(v), `at row ${row} (not a parseable date)`);
    return t;
  }
  throw mismatch(name, dtype, v, row);
}

/** A utf8 cell's code: strings encoded, null -1; else the schema error. */
function utf8Cell(name: string, v: unknown, row: number, d: Dictionary): number {
  if (typeof v === 'string') return d.encode(v);
  if (v === null || v === undefined) return -1;
  throw mismatch(name, 'utf8', v, row);
}

function copied<A extends Float64Array | Int32Array>(src: A, out: A): A {
  out.set(src);
  return out;
}

/** The input array itself as the column, where it already is the column's storage. */
function sharedColumn(dtype: DType, src: ArrayLike<unknown>): Column | undefined {
  if ((dtype === 'float64' || dtype === 'timestamp') && src instanceof Float64Array) return { dtype, data: src };
  if (dtype === 'int32' && src instanceof Int32Array) return { dtype, data: src };
  return undefined;
}

/** Fails where `convertColumn` would, without keeping a column: typed arrays pass as they are, strings are not encoded. */
function checkColumn(name: string, dtype: DType, src: ArrayLike<unknown>): void {
  if (dtype === 'utf8') {
    if (isTyped(src) || isBigTyped(src)) throw new SchemaMismatchError(name, dtype, src.constructor.name);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (typeof v !== 'string' && v !== null && v !== undefined) throw mismatch(name, dtype, v, i);
    }
  } else if ((dtype === 'float64' || dtype === 'timestamp') && (isTyped(src) || isBigTyped(src))) return;
  else if (dtype === 'int32' && (src instanceof Int32Array || src instanceof Int8Array || src instanceof Int16Array || src instanceof Uint8Array || src instanceof Uint16Array)) return;
  else convertColumn(name, dtype, src);
}

export function convertColumn(name: string, dtype: DType, src: ArrayLike<unknown>, dict?: Dictionary): Column {
  const n = src.length;
  switch (dtype) {
    case 'float64':
    case 'timestamp': {
      if (src instanceof Float64Array) return { dtype, data: copied(src, float64s(n)) };
      if (isTyped(src)) return { dtype, data: Float64Array.from(src) };
      if (isBigTyped(src)) return { dtype, data: Float64Array.from(src, Number) };
      const out = float64s(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        out[i] = typeof v === 'number' ? v : float64Cell(name, dtype, v, i);
      }
      return { dtype, data: out };
    }
    case 'int32': {
      if (src instanceof Int32Array) return { dtype, data: copied(src, int32s(n)) };
      if (src instanceof Int8Array || src instanceof Int16Array || src instanceof Uint8Array || src instanceof Uint16Array) {
        return { dtype, data: Int32Array.from(src) };
      }
      const out = new Int32Array(n);
      let validity: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        let v = src[i];
        if (typeof v === 'bigint') v = Number(v);
        if (typeof v === 'number' && v === v) {
          if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw mismatch(name, dtype, v, i);
          out[i] = v;
        } else if (v === null || v === undefined || (typeof v === 'number' && v !== v)) {
          if (!validity) validity = new Uint8Array(n).fill(1);
          validity[i] = 0;
        } else throw mismatch(name, dtype, v, i);
      }
      return validity ? { dtype, data: out, validity } : { dtype, data: out };
    }
    case 'bool': {
      const out = new Uint8Array(n);
      let validity: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (v === true) out[i] = 1;
        else if (v === false) out[i] = 0;
        else if (v === null || v === undefined) {
          if (!validity) validity = new Uint8Array(n).fill(1);
          validity[i] = 0;
        } else if (src instanceof Uint8Array && (v === 0 || v === 1)) out[i] = v;
        else throw mismatch(name, dtype, v, i);
      }
      return validity ? { dtype, data: out, validity } : { dtype, data: out };
    }
    case 'utf8': {
      const d = dict ?? new Dictionary();
      const out = int32s(n);
      if (isTyped(src) || isBigTyped(src)) throw new SchemaMismatchError(name, dtype, src.constructor.name);
      for (let i = d.encodeStrings(src, out); i < n; i = d.encodeStrings(src, out, i + 1)) out[i] = utf8Cell(name, src[i], i, d);
      return { dtype, data: out, dict: d };
    }
  }
}

// ---------------------------------------------------------------- arrow

function isArrowTable(b: object): b is arrow.Table {
  if (b instanceof arrow.Table) return true;
  const t = b as { schema?: { fields?: unknown }; getChild?: unknown; numRows?: unknown };
  return typeof t.getChild === 'function' && Array.isArray(t.schema?.fields) && typeof t.numRows === 'number';
}

function isDanfo(b: object): b is DanfoLike {
  const d = b as DanfoLike;
  // a class instance (not a plain column object that happens to have "columns"/"values" columns)
  const proto = Object.getPrototypeOf(b) as object | null;
  if (proto === Object.prototype || proto === null) return false;
  return Array.isArray(d.columns) && ('$data' in d || 'values' in d) && Array.isArray(d.values ?? d.$data);
}
