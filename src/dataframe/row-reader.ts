/**
 * Row objects → columns in one pass. A reader is compiled once per schema: each column is read
 * with its name as a literal (`r["price"]`), so every property load stays monomorphic and V8
 * inlines it, where a loop over the schema's names makes one megamorphic keyed load per cell.
 * Numbers go straight into Float64Arrays and strings into the dictionary; any other value takes
 * the general conversion (`convertColumn`), which also makes the error for a bad one.
 *
 * The reader counts each row's keys as well: a row whose count equals the schema's and which has
 * every column holds exactly the schema's names, so only other rows have their keys looked at.
 */
import type { Dictionary } from './dictionary.js';
import type { Column, DType, Schema } from './frame.js';
import { float64s, int32s } from './slab.js';

/** What a compiled reader fills: per column a typed array or, for int32/bool, the raw values. */
export interface RowColumns {
  data: (Float64Array | Int32Array | unknown[])[];
  /** Keys of rows not shaped exactly like the schema (to check for extra or missing columns). */
  odd: Set<string>;
  /** Per column: did some row hold it (possibly as null)? */
  present: boolean[];
}

type Reader = (rows: readonly Record<string, unknown>[], cols: RowColumns, dicts: (Dictionary | undefined)[], slow: SlowCell) => void;
/** A cell the fast path does not take: converts it or throws the schema error for it. */
export type SlowCell = (column: number, value: unknown, row: number) => number;

const readers = new Map<string, Reader>();

/** Compile (once per schema) the loop that reads `names` out of row objects. */
export function rowReader(schema: Schema, names: readonly string[]): Reader {
  const sig = JSON.stringify(names.map((n) => [n, schema[n]]));
  let reader = readers.get(sig);
  if (reader !== undefined) return reader;
  const lines: string[] = [];
  names.forEach((n, j) => {
    lines.push(`const d${j} = cols.data[${j}];`);
    if (schema[n] === 'utf8') lines.push(`const dict${j} = dicts[${j}];`);
  });
  const body: string[] = [];
  names.forEach((n, j) => {
    const key = JSON.stringify(n);
    body.push(`x = r[${key}];`, `if (x !== undefined) present[${j}] = true;`);
    body.push(cellCode(schema[n], j));
  });
  const src = `
    ${lines.join('\n')}
    const present = cols.present;
    const n = rows.length;
    let x;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r === null || typeof r !== 'object' || Array.isArray(r)) slow(-1, r, i);
      ${body.join('\n      ')}
      let keys = 0;
      for (const k in r) keys++;
      if (keys !== ${names.length} || ${names.map((n) => `r[${JSON.stringify(n)}] === undefined`).join(' || ') || 'false'}) {
        for (const k in r) cols.odd.add(k);
      }
    }`;
  reader = new Function('rows', 'cols', 'dicts', 'slow', src) as Reader;
  readers.set(sig, reader);
  return reader;
}

function cellCode(dtype: DType, j: number): string {
  switch (dtype) {
    case 'float64':
    case 'timestamp':
      return `d${j}[i] = typeof x === 'number' ? x : slow(${j}, x, i);`;
    case 'utf8':
      return `d${j}[i] = typeof x === 'string' ? dict${j}.encode(x) : slow(${j}, x, i);`;
    default:
      return `d${j}[i] = x;`;
  }
}

/** Storage the reader writes into, one per column. */
export function rowStorage(dtype: DType, n: number): Float64Array | Int32Array | unknown[] {
  if (dtype === 'float64' || dtype === 'timestamp') return float64s(n);
  if (dtype === 'utf8') return int32s(n);
  return new Array<unknown>(n);
}

/** The finished column: typed arrays as they are, raw int32/bool values through the general conversion. */
export function rowColumn(name: string, dtype: DType, data: Float64Array | Int32Array | unknown[], dict: Dictionary | undefined, convert: (name: string, dtype: DType, src: ArrayLike<unknown>, dict?: Dictionary) => Column): Column {
  if (dtype === 'float64' || dtype === 'timestamp') return { dtype, data: data as Float64Array };
  if (dtype === 'utf8') return { dtype, data: data as Int32Array, dict: dict! };
  return convert(name, dtype, data as unknown[], dict);
}
