/**
 * Window joins: both rows in the same tumbling or hopping window. Each row is placed in its
 * windows first (`assignWindows`: a `window_start` column; a hopping window's row once per
 * window), then joined as an interval join on the keys and the window (see `IntervalBounds.window`).
 */
import type { WindowShape } from '../../core/window-book.js';
import { Frame, toFloat64, type Column } from '../frame.js';

export const WINDOW_START = 'window_start';
export const WINDOW_END = 'window_end';

/** `frame` with a `window_start` column: each row once per window containing its `on` time (epoch-aligned, as the windows of `sdf.window`). */
export function assignWindows(frame: Frame, on: string, shape: WindowShape): Frame {
  const ts = toFloat64(frame.col(on));
  const rows: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t !== t) {
      rows.push(i); // a null time joins nothing; a left join still emits it
      starts.push(NaN);
      continue;
    }
    for (let start = Math.floor(t / shape.slide) * shape.slide; start > t - shape.size; start -= shape.slide) {
      rows.push(i);
      starts.push(start);
    }
  }
  const base = rows.length === frame.length ? frame : frame.take(rows);
  return base.withColumns({ [WINDOW_START]: { dtype: 'timestamp', data: Float64Array.from(starts) } });
}

/** A joined frame with `window_end` added, the window columns first. */
export function windowColumnsFirst(frame: Frame, size: number): Frame {
  const start = frame.col(WINDOW_START);
  const end: Column = { dtype: 'timestamp', data: toFloat64(start).map((s) => s + size) };
  const cols: Record<string, Column> = { [WINDOW_START]: start, [WINDOW_END]: end };
  for (const n of frame.names) if (n !== WINDOW_START) cols[n] = frame.col(n);
  return new Frame(cols, frame.length);
}
