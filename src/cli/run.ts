import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Stream } from '../core/stream.js';
import { runJob, type CheckpointOptions, type JobOptions } from '../runtime/index.js';
import type { Source } from '../sources/source.js';
import { UsageError } from './usage.js';

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

export interface LoadedJob {
  name: string;
  sources: Source<any>[];
  checkpoint?: CheckpointOptions;
}

const TS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Import a job module and build its graph. TypeScript is loaded through tsx's scoped loader
 * (`tsx/esm/api`), so `streamframe run job.ts` works without `node --import tsx`; tsx must be
 * installed next to the job (it is an optional dependency for the user).
 */
export async function loadJob(file: string, options: JobBuildOptions): Promise<LoadedJob> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`job file not found: ${file}`);
  let mod: { default?: unknown };
  if (TS.has(extname(path))) {
    let tsx: typeof import('tsx/esm/api');
    try {
      tsx = await import('tsx/esm/api');
    } catch {
      throw new Error(`${file} is TypeScript: install tsx (npm install -D tsx) or compile the job to JavaScript`);
    }
    mod = (await tsx.tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } else mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const exported = mod.default;
  if (exported === undefined) throw new Error(`${file} has no default export (a function that builds the graph and returns its sources)`);
  const def = (typeof exported === 'function' ? await (exported as JobFactory)(options) : exported) as JobDefinition;
  const wrapped = def !== null && typeof def === 'object' && 'sources' in def ? def : { sources: def };
  const list: unknown[] = Array.isArray(wrapped.sources) ? [...wrapped.sources] : [wrapped.sources];
  // Duck-typed, not `instanceof`: a job may import another copy of the library (dist vs src).
  const bad = list.findIndex((s) => typeof (s as Source<any>)?.start !== 'function' || typeof (s as Source<any>).stop !== 'function');
  if (list.length === 0 || bad >= 0) throw new Error(`${file}: the default export must return a source, an array of sources or { sources, name? }; got ${describeValue(list[bad])}`);
  const name = (wrapped as { name?: string }).name ?? basename(path, extname(path));
  return { name, sources: list as Source<any>[], checkpoint: (wrapped as { checkpoint?: CheckpointOptions }).checkpoint };
}

const describeValue = (x: unknown) => (x === null || typeof x !== 'object' ? String(x) : ((x as Stream<any>).constructor?.name ?? 'an object'));

/** `1000` → elements; `500ms`, `10s`, `5m`, `1h` → milliseconds; both as `1000,10s`. */
export function parseEvery(text: string): { elements?: number; ms?: number } {
  const every: { elements?: number; ms?: number } = {};
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  for (const part of text.split(',')) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(part);
    const n = m ? Number(m[1]) : NaN;
    if (!m || !(n > 0) || (m[2] === undefined && !Number.isInteger(n))) throw new UsageError(`--every must be a number of elements (1000) or a duration (10s, 500ms, 5m), got "${text}"`);
    if (m[2] === undefined) every.elements = n;
    else every.ms = n * units[m[2]];
  }
  return every;
}

export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--metrics-port must be a port number (0-65535), got "${text}"`);
  return n;
}

export const RUN_HELP = `Usage:
  streamframe run <job.ts|job.js> [--checkpoint <dir|s3://bucket/prefix>] [--every 1000|10s]
                  [--metrics-port P] [--endpoint URL] [--region R] [-- job arguments]

Loads the job module, calls its default export with { checkpoint, every, args } to build the
graph, and runs the sources it returns with runJob: restores the newest intact checkpoint, takes
checkpoints every N elements and/or every duration, stops gracefully on SIGINT/SIGTERM.

The default export returns a source, an array of sources, or { sources, name?, checkpoint? }
(the job name defaults to the file name). TypeScript jobs are loaded through tsx.

  --checkpoint   checkpoint store (a directory or s3://...); without it the job runs unchecked
                 unless the module sets checkpoint itself
  --every        1000 (elements), 10s / 500ms / 5m (time), or both: 1000,10s
  --metrics-port serve Prometheus metrics on this port (0: any free port)
  --endpoint, --region   for S3-compatible stores
`;

export interface RunArgs {
  positionals: string[];
  checkpoint?: string;
  every?: string;
  metricsPort?: string;
  endpoint?: string;
  region?: string;
  print?: (line: string) => void;
}

/** `streamframe run`: resolves to the exit code. */
export async function runCommand(args: RunArgs): Promise<number> {
  const print = args.print ?? ((line: string) => void process.stdout.write(line + '\n'));
  const [file, ...jobArgs] = args.positionals;
  if (file === undefined) throw new UsageError('run needs a job file');
  const every = args.every === undefined ? undefined : parseEvery(args.every);
  const metricsPort = parsePort(args.metricsPort);
  const job = await loadJob(file, { checkpoint: args.checkpoint, every, args: jobArgs });
  let checkpoint = job.checkpoint;
  if (args.checkpoint !== undefined || checkpoint !== undefined) {
    const s3 = args.endpoint !== undefined || args.region !== undefined;
    checkpoint = {
      ...checkpoint,
      ...(args.checkpoint === undefined ? {} : { store: args.checkpoint }),
      ...(s3 ? { storeOptions: { ...checkpoint?.storeOptions, endpoint: args.endpoint, region: args.region, forcePathStyle: args.endpoint !== undefined } } : {}),
      ...(every === undefined ? {} : { every }),
    };
  } else if (every !== undefined) throw new UsageError('--every needs --checkpoint (the job sets no checkpoint store)');
  const options: JobOptions = { name: job.name, checkpoint, ...(metricsPort === undefined ? {} : { metricsPort }) };
  const running = runJob(job.sources, options);
  const restored = await running.restored;
  print(restored === null ? `job ${job.name}: starting fresh${checkpoint ? '' : ' (no checkpoint store)'}` : `job ${job.name}: restored checkpoint ${restored}`);
  // Report each checkpoint as it is committed; lastCheckpoint is the job's public progress.
  let reported = restored ?? 0;
  const report = () => {
    const last = running.lastCheckpoint;
    // The job writes its checkpoints one after another, so every number up to the last is one of ours.
    while (last !== undefined && reported < last.checkpoint) print(`checkpoint ${++reported} committed`);
  };
  const timer = setInterval(report, 200).unref();
  try {
    await running.done;
  } finally {
    clearInterval(timer);
  }
  report();
  print(`job ${job.name}: done`);
  return 0;
}
