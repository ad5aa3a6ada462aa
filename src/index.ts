export * from './core/index.js';
export * from './sinks/sinks.js';
export { Source } from './sources/source.js';
export { IterableSource, AsyncIterableSource } from './sources/iterable.js';
export { PeriodicSource } from './sources/periodic.js';
export { TextFileSource, type TextFileOptions } from './sources/text-file.js';
export { FilenamesSource } from './sources/filenames.js';
export * from './checkpoint/index.js';
export * from './runtime/index.js';
