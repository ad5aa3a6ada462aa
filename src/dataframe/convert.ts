/**
 * Frame -> Arrow Table, rows, column object, danfo DataFrame.
 * Arrow types: float64 -> Float64 (NaN kept as NaN), timestamp -> Timestamp[ms] (NaN -> null),
 * int32 -> Int32, bool -> Bool, utf8 -> Dictionary<Utf8, Int32> (the stream dictionary, cached per size;
 * codes are used as indices without copying the strings).
 */
import * as arrow from 'apache-arrow';
import type { Dictionary } from './dictionary.js';
import { type Column, Frame, valueAt } from './frame.js';

function bitmap(n: number, isValid: (i: number) => boolean): { bits: Uint8Array; nulls: number } {
  const bits = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (isValid(i)) bits[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return { bits, nulls };
}

const dictCache = new WeakMap<Dictionary, { size: number; vec: arrow.Vector<arrow.Utf8> }>();
function dictVector(d: Dictionary): arrow.Vector<arrow.Utf8> {
  const c = dictCache.get(d);
  if (c && c.size === d.size) return c.vec;
  const vec = arrow.vectorFromArray(d.values() as string[], new arrow.Utf8());
  dictCache.set(d, { size: d.size, vec });
  return vec;
}

export function columnToArrow(col: Column): arrow.Vector {
  const n = col.data.length;
  switch (col.dtype) {
    case 'float64':
      return arrow.makeVector(col.data);
    case 'timestamp': {
      const d = col.data;
      const vals = new BigInt64Array(n);
      const { bits, nulls } = bitmap(n, (i) => d[i] === d[i]);
      for (let i = 0; i < n; i++) if (d[i] === d[i]) vals[i] = BigInt(Math.round(d[i]));
      return arrow.makeVector(
        arrow.makeData({ type: new arrow.TimestampMillisecond(), length: n, nullCount: nulls, nullBitmap: nulls ? bits : undefined, data: vals }),
      );
    }
    case 'int32': {
      const v = col.validity;
      if (!v) return arrow.makeVector(col.data);
      const { bits, nulls } = bitmap(n, (i) => v[i] === 1);
      return arrow.makeVector(arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: nulls, nullBitmap: bits, data: col.data }));
    }
    case 'bool': {
      const v = col.validity;
      const arr: (boolean | null)[] = new Array(n);
      for (let i = 0; i < n; i++) arr[i] = v && v[i] === 0 ? null : col.data[i] === 1;
      return arrow.vectorFromArray(arr, new arrow.Bool());
    }
    case 'utf8': {
      const codes = col.data;
      let hasNull = false;
      for (let i = 0; i < n; i++) if (codes[i] < 0) { hasNull = true; break; }
      let idx = codes;
      let bits: Uint8Array | undefined;
      let nulls = 0;
      if (hasNull) {
        idx = new Int32Array(n);
        for (let i = 0; i < n; i++) idx[i] = codes[i] < 0 ? 0 : codes[i];
        const b = bitmap(n, (i) => codes[i] >= 0);
        bits = b.bits;
        nulls = b.nulls;
      }
      const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
      return arrow.makeVector(
        arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: bits, data: idx, dictionary: dictVector(col.dict) }),
      );
    }
  }
}

export function toArrow(frame: Frame): arrow.Table {
  const vecs: Record<string, arrow.Vector> = {};
  for (const name of frame.names) vecs[name] = columnToArrow(frame.col(name));
  if (frame.names.length === 0) return new arrow.Table();
  return new arrow.Table(vecs);
}

export interface ToRowsOptions {
  /** How timestamps come out: Date objects (default) or ms numbers. */
  timestamps?: 'date' | 'ms';
}

/** Row objects; nulls are null (float64 NaN stays NaN, like pandas). */
export function toRows(frame: Frame, opts: ToRowsOptions = {}): Record<string, unknown>[] {
  const asDate = (opts.timestamps ?? 'date') === 'date';
  const out: Record<string, unknown>[] = new Array(frame.length);
  const cols = frame.names.map((n) => [n, frame.col(n)] as const);
  for (let i = 0; i < frame.length; i++) {
    const r: Record<string, unknown> = {};
    for (const [n, c] of cols) {
      const v = valueAt(c, i);
      r[n] = c.dtype === 'timestamp' && asDate && v !== null ? new Date(v as number) : v;
    }
    out[i] = r;
  }
  return out;
}

export type ColumnsOut = Record<string, Float64Array | Int32Array | (number | null)[] | (string | null)[] | (boolean | null)[]>;

/**
 * Column object (copies): float64 and timestamp -> Float64Array (ms, NaN = null), int32 -> Int32Array
 * (or (number|null)[] with nulls), bool -> (boolean|null)[], utf8 -> (string|null)[].
 * The result is accepted back by ingest.
 */
export function toColumns(frame: Frame): ColumnsOut {
  const out: ColumnsOut = {};
  for (const n of frame.names) {
    const c = frame.col(n);
    if (c.dtype === 'float64' || c.dtype === 'timestamp') out[n] = c.data.slice();
    else if (c.dtype === 'int32' && !c.validity) out[n] = c.data.slice();
    else {
      const arr = new Array(c.data.length);
      for (let i = 0; i < arr.length; i++) arr[i] = valueAt(c, i);
      out[n] = arr;
    }
  }
  return out;
}

let danfoPromise: Promise<DanfoModule> | undefined;
interface DanfoModule {
  DataFrame: new (data: unknown, opts?: Record<string, unknown>) => unknown;
}

const importOptional = (name: string): Promise<unknown> => import(name);

/** Load danfojs (or danfojs-node) once, lazily. */
export function loadDanfo(): Promise<DanfoModule> {
  danfoPromise ??= (async () => {
    for (const name of ['danfojs', 'danfojs-node']) {
      try {
        const m = (await importOptional(name)) as DanfoModule & { default?: DanfoModule };
        const mod = m.DataFrame ? m : m.default;
        if (mod?.DataFrame) return mod;
      } catch {
        // try the next one
      }
    }
    danfoPromise = undefined;
    throw new Error('install danfojs or danfojs-node to use toDanfo');
  })();
  return danfoPromise;
}

/**
 * danfo DataFrame (async because danfo is imported lazily). Timestamps become ms numbers
 * unless `timestamps: 'date'`; nulls stay null (danfo shows float NaN as NaN).
 */
export async function toDanfo(frame: Frame, opts: ToRowsOptions = {}): Promise<unknown> {
  const dfd = await loadDanfo();
  const data: Record<string, unknown[]> = {};
  for (const n of frame.names) {
    const c = frame.col(n);
    const arr = new Array(frame.length);
    for (let i = 0; i < arr.length; i++) {
      const v = valueAt(c, i);
      arr[i] = c.dtype === 'timestamp' && opts.timestamps === 'date' && v !== null ? new Date(v as number) : v;
    }
    data[n] = arr;
  }
  return new dfd.DataFrame(data, { columns: [...frame.names] });
}

// Result frames flowing out of a DataFrame stream convert themselves (the issue's `frame.toArrow()`).
// Registered here rather than in frame.ts so frame.ts stays free of Arrow and danfo.
declare module './frame.js' {
  interface Frame {
    toArrow(): arrow.Table;
    toRows(opts?: ToRowsOptions): Record<string, unknown>[];
    toColumns(): ColumnsOut;
    toDanfo(opts?: ToRowsOptions): Promise<unknown>;
  }
}
Frame.prototype.toArrow = function (this: Frame) {
  return toArrow(this);
};
Frame.prototype.toRows = function (this: Frame, opts?: ToRowsOptions) {
  return toRows(this, opts);
};
Frame.prototype.toColumns = function (this: Frame) {
  return toColumns(this);
};
Frame.prototype.toDanfo = function (this: Frame, opts?: ToRowsOptions) {
  return toDanfo(this, opts);
};
