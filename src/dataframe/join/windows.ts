/**
 * Window joins: both rows in the same tumbling or hopping window. Each row is placed in its
 * windows first (`assignWindows`: a `window_start` column; a hopping window's row once per
 * window), then joined per window when it closes (`FrameWindowJoinNode`).
 */
import type { WindowShape } from '../../core/window-book.js';
import { Frame, toFloat64, type Column } from '../frame.js';
import { float64s } from '../slab.js';

export const WINDOW_START = 'window_start';
export const WINDOW_END = 'window_end';

/** `frame` with a `window_start` column: each row once per window containing its `on` time (epoch-aligned, as the windows of `sdf.window`). */
export function assignWindows(frame: Frame, on: string, shape: WindowShape): Frame {
  const ts = toFloat64(frame.col(on));
  if (shape.size === shape.slide) {
    const starts = float64s(ts.length);
    for (let i = 0; i < ts.length; i++) starts[i] = Math.floor(ts[i] / shape.size) * shape.size;
    return frame.withColumns({ [WINDOW_START]: { dtype: 'timestamp', data: starts } });
  }
  const per = Math.ceil(shape.size / shape.slide); // windows a row is in, at most
  const rows = new Int32Array(ts.length * per);
  const starts = new Float64Array(ts.length * per);
  let n = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t !== t) {
      rows[n] = i; // a null time joins nothing; a left join still emits it
      starts[n++] = NaN;
      continue;
    }
    for (let start = Math.floor(t / shape.slide) * shape.slide; start > t - shape.size; start -= shape.slide) {
      rows[n] = i;
      starts[n++] = start;
    }
  }
  return frame.take(rows.subarray(0, n)).withColumns({ [WINDOW_START]: { dtype: 'timestamp', data: starts.slice(0, n) } });
}

/** A joined frame with `window_end` added (unless nothing reads it: `withEnd` false), the window columns first. */
export function windowColumnsFirst(frame: Frame, size: number, withEnd = true): Frame {
  const start = frame.col(WINDOW_START);
  const cols: Record<string, Column> = { [WINDOW_START]: start };
  if (withEnd) {
    const starts = toFloat64(start);
    const ends = new Float64Array(starts.length);
    for (let i = 0; i < ends.length; i++) ends[i] = starts[i] + size;
    cols[WINDOW_END] = { dtype: 'timestamp', data: ends };
  }
  for (const n of frame.names) if (n !== WINDOW_START) cols[n] = frame.col(n);
  return new Frame(cols, frame.length);
}
