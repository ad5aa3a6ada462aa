import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { preview } from '../core/errors.js';
import { committedCheckpoints, describeCheckpoint, highestCheckpointNumber, openStore } from '../checkpoint/index.js';
import { runJob, type CheckpointOptions, type JobBuildOptions, type JobDefinition, type JobFactory, type JobOptions } from '../runtime/index.js';
import { Source } from '../sources/source.js';
import { formatBytes } from './format.js';
import { typecheckJob } from './typecheck.js';
import { UsageError } from './usage.js';

export interface LoadedJob {
  name: string;
  sources: Source<any>[];
  checkpoint?: CheckpointOptions;
}

const TS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Import a job module and build its graph. TypeScript goes through tsx's loader hooks registered
 * for the whole process (not `tsImport`, whose namespace would give the job its own copies of
 * streamframe and apache-arrow): the job and this command share one copy of the library, so the
 * checkpoint code can serialize the job's Arrow tables.
 */
export async function loadJob(file: string, options: JobBuildOptions): Promise<LoadedJob> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`job file not found: ${file}`);
  if (TS.has(extname(path))) (await import('tsx/esm/api')).register();
  const mod = (await import(pathToFileURL(path).href).catch((e: unknown) => {
    throw e instanceof SyntaxError ? new Error(syntaxErrorAt(path) ?? e.message) : e;
  })) as { default?: unknown };
  const exported = mod.default;
  if (exported === undefined) throw new Error(`${file} has no default export (a function that builds the graph and returns its sources)`);
  const def = (typeof exported === 'function' ? await (exported as JobFactory)(options) : exported) as JobDefinition;
  const wrapped = def !== null && typeof def === 'object' && 'sources' in def ? def : { sources: def };
  const list: unknown[] = Array.isArray(wrapped.sources) ? [...wrapped.sources] : [wrapped.sources];
  const bad = list.findIndex((s) => typeof (s as Source<any>)?.start !== 'function' || typeof (s as Source<any>).stop !== 'function');
  if (list.length === 0 || bad >= 0) throw new Error(`${file}: the default export must return a source, an array of sources or { sources, name? }; got ${preview(list[bad])}`);
  if (!list.every((s) => s instanceof Source)) {
    throw new Error(`${file} builds its graph with another copy of streamframe than this command's (${fileURLToPath(new URL('../..', import.meta.url))}); import 'streamframe' in the job and run the streamframe its project installs (npx streamframe run ...)`);
  }
  const name = (wrapped as { name?: string }).name ?? basename(path, extname(path)).replace(/\.job$/, '');
  return { name, sources: list as Source<any>[], checkpoint: (wrapped as { checkpoint?: CheckpointOptions }).checkpoint };
}

/** Node reports an ES module's syntax error without file or line; `node --check` names both. */
function syntaxErrorAt(path: string): string | undefined {
  const check = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8' });
  const [where, code, caret, , message] = check.stderr.split('\n');
  return check.status === 0 || message === undefined ? undefined : `${message} at ${where}\n${code}\n${caret}`;
}

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
                  [--strict] [--allow-pipeline-change] [--fresh-if-all-damaged] [--no-typecheck]
                  [--metrics-port P] [--endpoint URL] [--region R] [-- job arguments]

Loads the job module, calls its default export with { checkpoint, every, args } to build the
graph, and runs the sources it returns with runJob: restores the newest intact checkpoint, takes
checkpoints every N elements and/or every duration, stops gracefully on SIGINT/SIGTERM/SIGHUP.

The default export returns a source, an array of sources, or { sources, name?, checkpoint? }
(the job name defaults to the file name without .ts/.js and .job). TypeScript jobs are
type-checked first (with the project's tsconfig.json and typescript; --no-typecheck skips it) and
loaded through tsx.

  --checkpoint   checkpoint store (a directory or s3://...); without it the job runs unchecked
                 unless the module sets checkpoint itself
  --every        1000 (elements), 10s / 500ms / 5m (time), or both: 1000,10s
  --strict       refuse to start when the newest checkpoint is damaged (default: fall back to
                 the previous intact one)
  --allow-pipeline-change   restore even though the job's graph differs from the checkpoint's
  --fresh-if-all-damaged    when checkpoints exist but every one is damaged, start from nothing
                 (default: refuse, naming the damaged files)
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
  strict?: boolean;
  allowPipelineChange?: boolean;
  freshIfAllDamaged?: boolean;
  /** Type-check a TypeScript job first (default true). */
  typecheck?: boolean;
  print?: (line: string) => void;
}

/** The checkpoint options the command line adds to the module's own. */
function checkpointOptions(args: RunArgs, fromModule: CheckpointOptions | undefined, every: CheckpointOptions['every']): CheckpointOptions | undefined {
  const flags = { strict: args.strict, allowPipelineChange: args.allowPipelineChange, freshIfAllDamaged: args.freshIfAllDamaged, every };
  if (args.checkpoint === undefined && fromModule === undefined) {
    const given = Object.entries(flags).find(([, v]) => v !== undefined);
    if (given) throw new UsageError(`--${given[0].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} needs --checkpoint (the job sets no checkpoint store)`);
    return undefined;
  }
  const s3 = args.endpoint !== undefined || args.region !== undefined;
  const options: CheckpointOptions = {
    ...fromModule,
    ...(args.checkpoint === undefined ? {} : { store: args.checkpoint }),
    ...(s3 ? { storeOptions: { ...fromModule?.storeOptions, endpoint: args.endpoint, region: args.region, forcePathStyle: args.endpoint !== undefined } } : {}),
  };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) Object.assign(options, { [key]: value });
  return options;
}

/**
 * "restoring checkpoint N (size) ..." before a restore that may take seconds (nothing on a fresh
 * start); resolves to the highest checkpoint number present, after which this run's are numbered.
 */
async function announceRestore(name: string, checkpoint: CheckpointOptions, print: (line: string) => void): Promise<number> {
  const store = openStore(checkpoint.store ?? join('checkpoint', name), checkpoint.storeOptions);
  const [[newest], highest] = await Promise.all([committedCheckpoints(store), highestCheckpointNumber(store)]);
  if (newest !== undefined) {
    const { totalBytes } = await describeCheckpoint(store, newest).catch(() => ({ totalBytes: undefined }));
    print(`job ${name}: restoring checkpoint ${newest}${totalBytes === undefined ? '' : ` (${formatBytes(totalBytes)})`} from ${store.url} ...`);
  }
  return highest;
}

/** `streamframe run`: resolves to the exit code. */
export async function runCommand(args: RunArgs): Promise<number> {
  const print = args.print ?? ((line: string) => void process.stdout.write(line + '\n'));
  const [file, ...jobArgs] = args.positionals;
  if (file === undefined) throw new UsageError('run needs a job file');
  const every = args.every === undefined ? undefined : parseEvery(args.every);
  const metricsPort = parsePort(args.metricsPort);
  if (args.typecheck !== false && TS.has(extname(file)) && existsSync(file)) {
    const checked = await typecheckJob(resolve(file));
    if (checked !== undefined && 'skipped' in checked) print(`job ${file}: ${checked.skipped}`);
    else if (checked !== undefined) throw new Error(`${file} does not type-check (--no-typecheck runs it anyway):\n${checked.errors.join('\n')}`);
  }
  const job = await loadJob(file, { checkpoint: args.checkpoint, every, args: jobArgs });
  const checkpoint = checkpointOptions(args, job.checkpoint, every);
  const before = checkpoint === undefined ? 0 : await announceRestore(job.name, checkpoint, print);
  // The command reports a failure itself, once, as its last line.
  const options: JobOptions = { name: job.name, checkpoint, logFailure: false, ...(metricsPort === undefined ? {} : { metricsPort }) };
  const started = performance.now();
  const running = runJob(job.sources, options);
  const restored = await running.restored;
  print(
    restored === null
      ? `job ${job.name}: starting fresh${checkpoint ? '' : ' (no checkpoint store)'}`
      : `job ${job.name}: restored checkpoint ${restored} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // Report each checkpoint as it is committed; lastCheckpoint is the job's public progress.
  let reported = before;
  const report = () => {
    const last = running.lastCheckpoint;
    // The job writes its checkpoints one after another, so every number after those present before it is one of ours.
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
