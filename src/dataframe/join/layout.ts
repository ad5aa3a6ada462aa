/**
 * The columns of a joined frame, as pandas' `merge` lays them out: the left columns, then the
 * right ones; a key given as `on` appears once (the left's), and any other name on both sides
 * gets the suffixes (`_x`, `_y` by default). A right column of a left row that matched nothing is
 * null. Utf8 columns keep the dictionaries of the side they come from, so nothing is re-encoded.
 */
import { Frame, makeColumn, type Column, type DType, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import type { JoinSide } from './keys.js';

export interface JoinLayout {
  schema: Schema;
  dicts: Record<string, Dictionary>;
  /** [column of the side, column of the output]; the right's excludes the shared keys. */
  left: [string, string][];
  right: [string, string][];
  /** Keys given as `on`: [right column, output column] (the output column is the left's). */
  shared: [string, string][];
  /** Each side's own schema. */
  sides: Record<JoinSide, Schema>;
}

export interface LayoutInput {
  schema: Schema;
  dicts: Record<string, Dictionary>;
}

export function joinLayout(left: LayoutInput, right: LayoutInput, sharedKeys: readonly string[], suffixes: readonly [string, string] = ['_x', '_y']): JoinLayout {
  const shared = new Set(sharedKeys);
  const both = (c: string) => c in left.schema && c in right.schema && !shared.has(c);
  const layout: JoinLayout = { schema: {}, dicts: {}, left: [], right: [], shared: sharedKeys.map((k) => [k, k]), sides: { left: left.schema, right: right.schema } };
  const place = (side: JoinSide, from: LayoutInput, c: string, out: string) => {
    if (out in layout.schema) throw new Error(`join: output column "${out}" would appear twice; pass other suffixes`);
    layout.schema[out] = from.schema[c];
    if (from.dicts[c] !== undefined) layout.dicts[out] = from.dicts[c];
    layout[side].push([c, out]);
  };
  for (const c of Object.keys(left.schema)) place('left', left, c, both(c) ? `${c}${suffixes[0]}` : c);
  for (const c of Object.keys(right.schema)) if (!shared.has(c)) place('right', right, c, both(c) ? `${c}${suffixes[1]}` : c);
  return layout;
}

/** n nulls of a dtype (int32 and bool through their validity). */
export function nullColumn(dtype: DType, n: number, dict?: Dictionary): Column {
  const c = makeColumn(dtype, n, dict);
  switch (c.dtype) {
    case 'float64':
    case 'timestamp':
      c.data.fill(NaN);
      return c;
    case 'utf8':
      c.data.fill(-1);
      return c;
    default:
      return { ...c, validity: new Uint8Array(n) } as Column;
  }
}

/** The columns of `side` that the output columns `out` come from (undefined: all of them; shared keys: the left's). */
export function sourcesOf(layout: JoinLayout, side: JoinSide, out: ReadonlySet<string> | undefined): string[] {
  return layout[side].filter(([, o]) => out === undefined || out.has(o)).map(([c]) => c);
}

/** Output columns (those in `only`, if given) from one side's rows (`rows` a frame of that side), or nulls for `rows` rows. */
function sideColumns(layout: JoinLayout, side: JoinSide, rows: Frame | number, into: Record<string, Column>, only: ReadonlySet<string> | undefined): void {
  for (const [c, out] of layout[side]) {
    if (only !== undefined && !only.has(out)) continue;
    into[out] = typeof rows === 'number' ? nullColumn(layout.schema[out], rows, layout.dicts[out]) : rows.col(c);
  }
}

/**
 * FrameJoined rows: row i of `left` with row i of `right` (a number: that many null rows on that
 * side); with `only`, just those output columns (the sides' frames need hold only their sources).
 */
export function joinedFrame(layout: JoinLayout, left: Frame | number, right: Frame | number, only?: ReadonlySet<string>): Frame {
  const cols: Record<string, Column> = {};
  sideColumns(layout, 'left', left, cols, only);
  sideColumns(layout, 'right', right, cols, only);
  const n = typeof left === 'number' ? left : left.length;
  if (typeof left === 'number' && typeof right !== 'number') for (const [c, out] of layout.shared) if (only === undefined || only.has(out)) cols[out] = right.col(c);
  const ordered: Record<string, Column> = {};
  for (const name of Object.keys(layout.schema)) if (name in cols) ordered[name] = cols[name];
  return new Frame(ordered, n);
}

/** One side's rows back from frames in the output layout (a checkpoint). */
export function sideFrame(layout: JoinLayout, side: JoinSide, joined: Frame): Frame {
  const outOf = new Map([...layout[side], ...(side === 'right' ? layout.shared : [])]);
  const cols: Record<string, Column> = {};
  for (const c of Object.keys(layout.sides[side])) cols[c] = joined.col(outOf.get(c)!);
  return new Frame(cols, joined.length);
}
