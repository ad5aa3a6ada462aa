import type { Source } from '../sources/source.js';
import type { CheckpointOptions } from './run-job.js';

/** What `streamframe run` passes to a job module's default export. */
export interface JobBuildOptions {
  /** `--checkpoint`: a directory or s3://bucket/prefix, if given. */
  checkpoint?: string;
  /** `--every`, parsed. */
  every?: { elements?: number; ms?: number };
  /** Arguments after `--` on the command line, for the job's own use. */
  args: string[];
}

/** What a job module builds: its sources, or the sources with a job name and checkpoint defaults. */
export type JobDefinition =
  | Source<any>
  | readonly Source<any>[]
  | { sources: Source<any> | readonly Source<any>[]; name?: string; checkpoint?: CheckpointOptions };

/**
 * A job module's default export: builds the graph and returns its sources. The command runs them
 * with `runJob`; the module never starts them itself. (A definition itself, not a function, is
 * accepted too.)
 *
 *     // job.ts
 *     export default defineJob(() => {
 *       const src = Stream.fromIterable(readings());
 *       src.accumulate(...).name('totals');
 *       return { sources: src, name: 'totals' };
 *     });
 */
export type JobFactory = (options: JobBuildOptions) => JobDefinition | Promise<JobDefinition>;

/** Identity, for the types: `export default defineJob((options) => ...)`. */
export function defineJob(factory: JobFactory): JobFactory {
  return factory;
}
