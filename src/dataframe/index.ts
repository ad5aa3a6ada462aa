export { Dictionary } from './dictionary.js';
export * from './frame.js';
export * from './errors.js';
// not `export *`: ingest.ts's `describe` (a value's type for error messages) would clash with core's graph `describe`
export { Ingestor, ingest, inferSchema, convertColumn, convertArrowVector, type Batch, type ColumnInput, type ColumnObject, type RowObject, type DanfoLike, type IngestOptions } from './ingest.js';
export * from './convert.js';
export { Grouper } from './grouper.js';
export { type AggOp, AGG_OPS, GroupAggregator } from './aggregator.js';
export { type AggSpec, type AggInput, type GroupedOptions, GroupedAggregation, normalizeAggs } from './grouped.js';
export { GroupbyState } from './groupby-state.js';
export { WindowState, WindowedAggregation, type WindowSpec, type WindowedOptions } from './window-state.js';
export { RollingState, expanding, type RollOp, type RollingOptions, ROLL_OPS } from './rolling.js';
export { EwmState, ewmAlpha, type EwmOptions, type EwmParams, type EwmOp } from './ewm.js';
export { CumulativeState, type CumOp } from './cumulative.js';
export { ValueCountsState } from './value-counts.js';
export * from './expr.js';
export { RandomSource, Rng, randomFrame, RANDOM_SCHEMA, type RandomOptions } from './random.js';
export { NLargestState, nlargestOf, type NLargestOptions } from './nlargest.js';
export * from './sdf/index.js';
