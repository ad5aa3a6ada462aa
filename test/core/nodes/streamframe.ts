// The public entry's core, sinks and sources (as in src/index.ts) without checkpoint/ and runtime/,
// whose imports (Parquet, S3, Kafka) would dominate the run time of these small tests.
export * from '../../../src/core/index.js';
export * from '../../../src/sinks/sinks.js';
export { Source } from '../../../src/sources/source.js';
export { IterableSource, AsyncIterableSource } from '../../../src/sources/iterable.js';
export { PeriodicSource } from '../../../src/sources/periodic.js';
export { TextFileSource, type TextFileOptions } from '../../../src/sources/text-file.js';
export { FilenamesSource } from '../../../src/sources/filenames.js';
