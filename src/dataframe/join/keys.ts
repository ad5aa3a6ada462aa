/**
 * Join keys: which columns of each side are matched, checked against both schemas, and a
 * `KeyIndex` that gives equal key values the same number whichever side (and so whichever
 * string dictionary) a row comes from: one numeric key is its own value; a string gets a dense
 * id; several keys a dense id of the combination. A null key gets NaN and matches nothing
 * (pandas' merge matches nulls; SQL and Flink do not, and neither do we).
 */
import { SchemaMismatchError } from '../errors.js';
import type { Dictionary } from '../dictionary.js';
import { toFloat64, type Column, type DType, type Frame, type Schema } from '../frame.js';

export type JoinSide = 'left' | 'right';

/** A key or time column that is missing on one side, or of another type than on the other side. */
export class JoinColumnError extends SchemaMismatchError {
  constructor(
    readonly side: JoinSide,
    column: string,
    expected: string,
    actual: string,
  ) {
    super(column, expected, actual, `on the ${side} side of the join`);
  }
}

/** The key columns of each side, in pairs (`on: 'k'` pairs k with k). */
export interface JoinKeys {
  left: readonly string[];
  right: readonly string[];
}

const KEY_TYPES: readonly DType[] = ['utf8', 'int32', 'bool', 'float64', 'timestamp'];

/** Check that every key column exists on its side and has the same dtype on both (throws `JoinColumnError`). */
export function checkKeys(keys: JoinKeys, left: Schema, right: Schema): DType[] {
  if (keys.left.length === 0 || keys.left.length !== keys.right.length) {
    throw new RangeError(`join: give the key columns as { on } or as { leftOn, rightOn } of the same length (got ${keys.left.length} and ${keys.right.length})`);
  }
  return keys.left.map((l, i) => {
    const r = keys.right[i];
    const lt = left[l];
    const rt = right[r];
    if (lt === undefined || !KEY_TYPES.includes(lt)) throw new JoinColumnError('left', l, rt ?? 'a key column', lt === undefined ? `no such column (columns: ${Object.keys(left).join(', ')})` : lt);
    if (rt !== lt) throw new JoinColumnError('right', r, lt, rt === undefined ? `no such column (columns: ${Object.keys(right).join(', ')})` : rt);
    return lt;
  });
}

/** Check a batch's column against the dtype the join was built for (a frame from a node that changed its schema). */
export function checkColumn(side: JoinSide, frame: Frame, column: string, dtypes: readonly DType[]): void {
  const c = frame.columns[column];
  if (c === undefined) throw new JoinColumnError(side, column, dtypes.join(' or '), `no such column (columns: ${frame.names.join(', ')})`);
  if (!dtypes.includes(c.dtype)) throw new JoinColumnError(side, column, dtypes.join(' or '), c.dtype);
}

/** One key column's values → dense ids shared by both sides. */
class ColumnIds {
  private readonly byValue = new Map<number | string, number>();
  /**
   * Per source dictionary: code → id (-2: not looked up yet), so a string is hashed once per
   * dictionary. Weak: a dictionary the job dropped (compacted, or a finished batch's) is freed with its table.
   */
  private readonly byCode = new WeakMap<Dictionary, Int32Array>();

  ids(col: Column): Int32Array {
    const n = col.data.length;
    const out = new Int32Array(n);
    if (col.dtype === 'utf8') {
      const table = this.codeTable(col.dict);
      for (let i = 0; i < n; i++) {
        const c = col.data[i];
        if (c < 0) out[i] = -1;
        else out[i] = table[c] >= 0 ? table[c] : (table[c] = this.idOf(col.dict.decode(c)!));
      }
      return out;
    }
    const v = toFloat64(col);
    for (let i = 0; i < n; i++) out[i] = v[i] !== v[i] ? -1 : this.idOf(v[i]);
    return out;
  }

  private codeTable(dict: Dictionary): Int32Array {
    let t = this.byCode.get(dict);
    if (t === undefined || t.length < dict.size) {
      const grown = new Int32Array(Math.max(16, dict.size * 2)).fill(-2);
      if (t !== undefined) grown.set(t);
      this.byCode.set(dict, (t = grown));
    }
    return t;
  }

  private idOf(v: number | string): number {
    let id = this.byValue.get(v);
    if (id === undefined) this.byValue.set(v, (id = this.byValue.size));
    return id;
  }
}

/** Rows' key ids from one or several key columns; a row with any null key gets NaN. */
export class KeyIndex {
  private readonly columns: ColumnIds[];
  /** Several keys: (id so far, next column's id) → combined id, level by level (as the Grouper does). */
  private readonly levels: Map<number, number>[];

  constructor(width: number) {
    this.columns = Array.from({ length: width }, () => new ColumnIds());
    this.levels = Array.from({ length: width - 1 }, () => new Map());
  }

  ids(frame: Frame, keys: readonly string[]): Float64Array {
    const first = frame.col(keys[0]);
    // One numeric key: its values are the ids (no table of every key ever seen).
    if (keys.length === 1 && first.dtype !== 'utf8') return toFloat64(first);
    let out = this.columns[0].ids(first);
    for (let k = 1; k < keys.length; k++) {
      const next = this.columns[k].ids(frame.col(keys[k]));
      const level = this.levels[k - 1];
      for (let i = 0; i < out.length; i++) {
        if (out[i] < 0 || next[i] < 0) {
          out[i] = -1;
          continue;
        }
        const pair = out[i] * 67108864 + next[i];
        let id = level.get(pair);
        if (id === undefined) level.set(pair, (id = level.size));
        out[i] = id;
      }
    }
    return Float64Array.from(out, (id) => (id < 0 ? NaN : id));
  }
}
