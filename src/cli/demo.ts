import { DataFrame, Random, runJob, Stream, type Frame, type Job, type OpenStoreOptions, type Source } from '../index.js';
import { Progress } from './progress.js';

export const DEMO_HELP = `Usage: streamframe demo [--checkpoint DIR|S3-URL] [--batches N] [--kafka BROKERS --topic T] [--endpoint URL] [--region R]

The main job, with no broker needed: streamz's Random source (timestamp, x, y, z; 100k rows/s)
→ the cumulative count and mean of x per y, and the mean and std of z over the last 10 s of event
time → a summary every few seconds and one progress line. It checkpoints every second to
checkpoint/demo (or --checkpoint). Ctrl-C takes a final checkpoint and exits; running it again
prints "restored checkpoint N" and continues where it stopped. --batches N stops after N batches.
--kafka host:port[,host:port] --topic T runs the same job on a topic of JSON rows
{ "timestamp": ms or ISO string, "x": number, "y": integer, "z": number } (consumer group
streamframe-demo; the checkpoint, not the group, says where to resume).
`;

export interface DemoOptions {
  /** Checkpoint store: a directory or s3://bucket/prefix (default `checkpoint/demo`). */
  checkpoint?: string;
  storeOptions?: OpenStoreOptions;
  /** Time between batches of the built-in source, ms. */
  intervalMs?: number;
  /** Rows per batch. */
  rowsPerBatch?: number;
  /** Read JSON rows from Kafka instead of the built-in source. */
  kafka?: { brokers: string[]; topic: string };
  /** Stop (with a final checkpoint) after this many batches in this run (default: until Ctrl-C). */
  batches?: number;
  /** Print a summary every this many ms. */
  summaryEveryMs?: number;
  out?: NodeJS.WriteStream;
}

/** Every group, packed into lines no wider than the terminal, broken between groups (never inside a number). */
export function wrapGroups(prefix: string, groups: string[], width: number): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const g of groups) {
    if (line.length > prefix.length && line.length + 2 + g.length > width) {
      lines.push(line);
      line = ' '.repeat(prefix.length);
    }
    line += (line.trim() === prefix.trim() || line.trim() === '' ? '' : '  ') + g;
  }
  return [...lines, line];
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/**
 * The main job: streamz's Random demo source (timestamp, x uniform, y Poisson(1), z normal) →
 * cumulative mean of x per y, and mean / std of z over the last 10 s of event time → a summary
 * every few seconds and a progress line; checkpointed every second, Ctrl-C takes a final one.
 */
export async function runDemo(options: DemoOptions = {}): Promise<Job> {
  const out = options.out ?? process.stdout;
  const intervalMs = options.intervalMs ?? 100;
  const rows = options.rowsPerBatch ?? 10_000;
  const source: Source<any> = options.kafka
    ? Stream.fromKafkaBatched(options.kafka.topic, { brokers: options.kafka.brokers, groupId: 'streamframe-demo' }, { decode: 'json', startFrom: 'earliest' }).name('kafka')
    : new Random({ freq: intervalMs / rows, interval: intervalMs, seed: 42, start: Date.UTC(2026, 0, 1) }).name('random');
  const sdf = new DataFrame(source, { example: { timestamp: 'timestamp', x: 'float64', y: 'int32', z: 'float64' } });
  const byY = sdf.groupby('y').agg({ x: ['count', 'mean'] }).name('x-by-y');
  const recent = sdf.window({ value: '10s', on: 'timestamp' }).agg({ z: ['mean', 'std'] }).name('z-last-10s');

  let latestByY: Frame | undefined;
  let latestRecent: Frame | undefined;
  let eventTime = 0;
  byY.stream.sink((f) => void (latestByY = f));
  recent.stream.sink((f) => void (latestRecent = f));
  const progress = new Progress(out);
  let batchesThisRun = 0;
  sdf.stream.sink((f) => {
    progress.count(f.length);
    if (++batchesThisRun === options.batches) void job.stop();
    if (f.length > 0) eventTime = f.get('timestamp', f.length - 1) as number;
  });

  const store = options.checkpoint ?? 'checkpoint/demo';
  const job = runJob(source, { name: 'demo', checkpoint: { store, storeOptions: options.storeOptions, every: { ms: 1000 } } });
  const restored = await job.restored;
  out.write(restored === null ? `fresh start; checkpoints go to ${store}\n` : `restored checkpoint ${restored} from ${store}\n`);

  let lastSummary = '';
  const summarize = () => {
    if (latestByY === undefined || latestRecent === undefined) return;
    const groups = latestByY.toRows().map((r) => `y=${r.y}: n ${r.x_count} x̄ ${fmt(r.x_mean as number)}`);
    const [z] = latestRecent.toRows();
    const head = `${new Date(eventTime).toISOString()}  z over last 10 s: mean ${fmt(z?.z_mean as number)} std ${fmt(z?.z_std as number)}`;
    const summary = [head, ...wrapGroups('  x by y  ', groups, out.columns ?? 100)].join('\n');
    if (summary !== lastSummary) progress.log((lastSummary = summary));
  };
  const ticker = setInterval(() => {
    progress.render(job.lastCheckpoint);
  }, 250);
  const summaries = setInterval(summarize, options.summaryEveryMs ?? 3000);
  try {
    await job.done;
  } finally {
    clearInterval(ticker);
    clearInterval(summaries);
  }
  summarize();
  progress.finish(job.lastCheckpoint);
  out.write(`stopped after checkpoint ${job.lastCheckpoint?.checkpoint ?? '–'}; run again to continue where it stopped\n`);
  return job;
}
