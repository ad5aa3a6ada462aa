import type { Stream } from '../core/stream.js';
import { DataFrame } from '../dataframe/sdf/dataframe.js';
import { Series } from '../dataframe/sdf/series.js';
import type { Frame, Schema } from '../dataframe/frame.js';
import { LiveChart } from './chart.js';

export interface FramePlotOptions {
  /** Columns to draw, one line each (default: every numeric column). */
  y?: string[];
  /** Column for the x axis (default: a running row number). */
  x?: string;
  title?: string;
  width?: number;
  height?: number;
  maxPoints?: number;
  throttleMs?: number;
}

type Row = Record<string, unknown>;

declare module '../dataframe/sdf/dataframe.js' {
  interface DataFrame<S extends Schema = Schema> {
    /** A chart of every row the stream emits (one line per numeric column), redrawn as frames arrive. */
    plot(options?: FramePlotOptions): LiveChart<Row>;
  }
}

declare module '../dataframe/sdf/series.js' {
  interface Series<S extends Schema, D, N extends string> {
    /** A chart of the values this series emits, redrawn as they arrive. */
    plot(options?: FramePlotOptions): LiveChart<Row>;
  }
}

function plotFrames(stream: Stream<Frame>, schema: Schema, options: FramePlotOptions): LiveChart<Row> {
  const columns = options.y ?? Object.keys(schema).filter((c) => schema[c] === 'float64' || schema[c] === 'int32');
  const chart = new LiveChart<Row>({
    ...options,
    y: (row) => Object.fromEntries(columns.map((c) => [c, Number(row[c])])),
    x: options.x === undefined ? undefined : (row) => Number(row[options.x!]),
  });
  stream.sink((frame) => {
    for (const row of frame.toRows({ timestamps: 'ms' })) chart.add(row);
  });
  return chart;
}

DataFrame.prototype.plot = function (this: DataFrame, options: FramePlotOptions = {}) {
  return plotFrames(this.stream, this.schema, options);
};

Series.prototype.plot = function (this: Series<Schema>, options: FramePlotOptions = {}) {
  return plotFrames(this.stream, { [this.name]: this.dtype }, options);
};
