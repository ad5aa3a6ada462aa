export { runJob, Job, type JobOptions, type CheckpointOptions, type PositionToken } from './run-job.js';
export { JobMetrics, type JobMetricsSnapshot, type NodeMetrics } from './metrics.js';
export { ProcessedTracker, numericPosition } from './tracking.js';
export { ReadYourWrites } from './read-your-writes.js';
export { Checkpointer, type Capture } from './checkpointer.js';
export { CutGate } from './cut.js';
export { CoPartitionError, checkCoPartitioned, joinsAcrossSources, type JoinAcrossSources } from './co-partition.js';
export { defineJob, type JobBuildOptions, type JobDefinition, type JobFactory } from './job-module.js';
