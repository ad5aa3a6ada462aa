export { DataFrame, type DataFrameOptions } from './dataframe.js';
export { Series } from './series.js';
export { GroupBy, GroupedSeries } from './groupby.js';
export { Window, type WindowOptions } from './window.js';
export { Rolling, Ewm, type RollingOptions as SeriesRollingOptions } from './rolling.js';
export { Random, type RandomOptions as RandomStreamOptions, type RandomPosition } from './random-source.js';
export { IngestNode, FrameMapNode } from './frame-nodes.js';
export { KernelNode, GroupbyNode, WindowAggNode, RowwiseNode, CountsNode, WindowFrameNode, AccumulatePartitionsNode } from './kernel-nodes.js';
export type { AggMap, AggOut, AggResult, Cols, NodeOptions } from './types.js';
