export { runJob, Job, type JobOptions, type CheckpointOptions } from './run-job.js';
export { Checkpointer, type Capture } from './checkpointer.js';
export { CutGate } from './cut.js';
