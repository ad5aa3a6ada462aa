/**
 * Arrow vectors → our columns, by the example schema's dtype: numbers and timestamps (any unit,
 * scaled to ms), dictionary-encoded or plain utf8 mapped into the stream's dictionary.
 */
import * as arrow from 'apache-arrow';
import { Dictionary } from './dictionary.js';
import type { Column, DType } from './frame.js';
import { SchemaMismatchError } from './errors.js';
import { convertColumn } from './ingest.js';

function arrowTypeName(t: arrow.DataType): string {
  return `arrow ${String(t)}`;
}

const TS_DIV: Record<number, number> = {
  [arrow.TimeUnit.SECOND]: 1 / 1000,
  [arrow.TimeUnit.MILLISECOND]: 1,
  [arrow.TimeUnit.MICROSECOND]: 1000,
  [arrow.TimeUnit.NANOSECOND]: 1e6,
};

export function convertArrowVector(name: string, dtype: DType, vec: arrow.Vector, dict?: Dictionary): Column {
  const t = vec.type as arrow.DataType;
  const n = vec.length;
  const isNum = arrow.DataType.isFloat(t) || arrow.DataType.isInt(t);
  const bad = () => new SchemaMismatchError(name, dtype, arrowTypeName(t));
  switch (dtype) {
    case 'float64': {
      if (!isNum) throw bad();
      if (vec.nullCount === 0) {
        const a = vec.toArray() as ArrayLike<number> | BigInt64Array;
        return { dtype, data: a instanceof Float64Array ? a.slice() : Float64Array.from(a as ArrayLike<number>, Number) };
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = vec.get(i);
        out[i] = v === null ? NaN : Number(v);
      }
      return { dtype, data: out };
    }
    case 'timestamp': {
      const out = new Float64Array(n);
      if (arrow.DataType.isTimestamp(t)) {
        // read raw int64 values and scale by unit
        let off = 0;
        const div = TS_DIV[(t as arrow.Timestamp).unit];
        for (const d of vec.data) {
          const vals = d.values as unknown as BigInt64Array | Int32Array;
          for (let i = 0; i < d.length; i++) {
            if (!d.getValid(i)) out[off + i] = NaN;
            else if (vals instanceof BigInt64Array) out[off + i] = Number(vals[i]) / div;
            else out[off + i] = ((vals[2 * i] >>> 0) + vals[2 * i + 1] * 4294967296) / div;
          }
          off += d.length;
        }
        return { dtype, data: out };
      }
      if (arrow.DataType.isDate(t) || isNum) {
        for (let i = 0; i < n; i++) {
          const v = vec.get(i) as unknown;
          out[i] = v === null ? NaN : v instanceof Date ? v.getTime() : Number(v);
        }
        return { dtype, data: out };
      }
      throw bad();
    }
    case 'int32': {
      if (!arrow.DataType.isInt(t)) throw bad();
      const raw: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) raw[i] = vec.get(i);
      return convertColumn(name, dtype, raw, dict);
    }
    case 'bool': {
      if (!arrow.DataType.isBool(t)) throw bad();
      const raw: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) raw[i] = vec.get(i);
      return convertColumn(name, dtype, raw, dict);
    }
    case 'utf8': {
      const d = dict ?? new Dictionary();
      if (arrow.DataType.isDictionary(t) && arrow.DataType.isUtf8((t as arrow.Dictionary).dictionary)) {
        // map each chunk's dictionary to our codes once, then translate indices
        const out = new Int32Array(n);
        let off = 0;
        for (const data of vec.data) {
          const dv = data.dictionary as arrow.Vector<arrow.Utf8> | undefined;
          const map = new Int32Array(dv ? dv.length : 0);
          for (let j = 0; j < map.length; j++) {
            const s = dv!.get(j);
            map[j] = s === null ? -1 : d.encode(s);
          }
          const idx = data.values as unknown as ArrayLike<number>;
          for (let i = 0; i < data.length; i++) {
            out[off + i] = data.getValid(i) ? map[Number(idx[i])] : -1;
          }
          off += data.length;
        }
        return { dtype, data: out, dict: d };
      }
      if (!arrow.DataType.isUtf8(t) && !arrow.DataType.isLargeUtf8(t)) throw bad();
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const s = vec.get(i) as string | null;
        out[i] = s === null ? -1 : d.encode(s);
      }
      return { dtype, data: out, dict: d };
    }
  }
}
