/**
 * A join's checkpoint table: the rows each side holds, stacked in the output's layout (so the
 * Parquet file reads as a joined table with the other side's columns null), left rows first,
 * with `join_left` (the side) and `join_matched` (a left row found a partner) columns. The rows
 * per side and the node's own state (watermarks) are in the table's `streamframe` metadata.
 */
import type * as arrow from 'apache-arrow';
import { Frame } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { toArrow } from '../convert.js';
import { Ingestor } from '../ingest.js';
import { readMeta, withMeta } from '../grouped.js';
import { expectTable } from '../../core/state-shape.js';
import type { JoinSide } from './keys.js';
import { joinedFrame, sideFrame, type JoinLayout } from './layout.js';

export interface HeldRows {
  frame: Frame;
  matched: Uint8Array;
}

export function joinStateTable(layout: JoinLayout, held: Record<JoinSide, HeldRows>, meta: Record<string, unknown>): arrow.Table {
  const frames = (['left', 'right'] as const).map((side) => {
    const { frame, matched } = held[side];
    const joined = side === 'left' ? joinedFrame(layout, frame, frame.length) : joinedFrame(layout, frame.length, frame);
    const isLeft = new Uint8Array(frame.length).fill(side === 'left' ? 1 : 0);
    return joined.withColumns({ join_left: { dtype: 'bool', data: isLeft }, join_matched: { dtype: 'bool', data: matched } });
  });
  return withMeta(toArrow(Frame.concat(frames)), { ...meta, leftRows: held.left.frame.length, rightRows: held.right.frame.length });
}

/** The held rows of each side back (utf8 columns in fresh dictionaries: align them to the side's), and the metadata. */
export function readJoinState(kind: string | readonly string[], nodeId: string, layout: JoinLayout, table: arrow.Table): { held: Record<JoinSide, HeldRows>; meta: Record<string, unknown> } {
  const kinds = typeof kind === 'string' ? [kind] : kind;
  expectTable(kinds[0], table);
  const meta = readMeta(table);
  if (!kinds.includes(meta.kind as string)) throw new Error(`restore ${nodeId}: expected a ${kinds.join(' or ')} state, got ${String(meta.kind)}`);
  const dicts: Record<string, Dictionary> = {};
  const all = new Ingestor({ ...layout.schema, join_left: 'bool', join_matched: 'bool' }, { dicts }).fromArrow(table);
  const leftRows = meta.leftRows as number;
  const part = (side: JoinSide): HeldRows => {
    const rows = side === 'left' ? all.slice(0, leftRows) : all.slice(leftRows);
    return { frame: sideFrame(layout, side, rows), matched: Uint8Array.from(rows.col('join_matched').data as Uint8Array) };
  };
  return { held: { left: part('left'), right: part('right') }, meta };
}
