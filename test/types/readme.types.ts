// The README's code examples, checked by `tsc --noEmit` so the README stays true. Not run.
import { statSync, appendFileSync } from 'node:fs';
import { DataFrame, defineJob, kafkaDeadLetters, runJob, Stream, type Source } from '../../src/index.js';

// Quick start
const numbers = new Stream<number>();
const totalsList: number[] = numbers
  .map((x) => x * 2)
  .filter((x) => x % 3 !== 0)
  .accumulate((sum, x) => sum + x, { start: 0 })
  .sinkToList();

async function sources() {
  const lines = Stream.fromTextFile('events.jsonl', { follow: false });
  const counts = lines.map((l) => JSON.parse(l)).pluck('kind').partition(100).sinkToList();
  await lines.start();
  return counts;
}

// Jobs and checkpoints
async function jobs() {
  const lines = Stream.fromTextFile('events.jsonl', { follow: false });
  lines.map((l) => JSON.parse(l)).accumulate((n: number) => n + 1, { start: 0 }).name('count');
  const job = runJob(lines, {
    name: 'totals',
    checkpoint: { store: 'checkpoint/totals', every: { elements: 1000 }, keep: 10, strict: false, allowPipelineChange: false },
  });
  const restored: number | null = await job.restored;
  const n: number = await job.checkpoint();
  await job.stop();
  await job.done;
  return [restored, n];
}

// Checkpoint stores
function checkpointStores(source: Source<number>) {
  runJob(source, { name: 'totals', checkpoint: { store: 'azblob://checkpoints/jobs/totals',
    storeOptions: { account_name: 'acct', account_key: process.env.AZURE_STORAGE_KEY } } });
}

// Read your writes
async function readYourWrites(log: string, balances: Record<string, number>) {
  const lines = Stream.fromTextFile(log);
  const job = runJob(lines, { name: 'payments', trackProcessed: true, checkpoint: { every: { ms: 1000 } } });
  async function pay(user: string, amount: number) {
    const position = statSync(log).size;
    appendFileSync(log, JSON.stringify({ user, amount }) + '\n');
    await job.processed(position, { timeoutMs: 5000 });
    await job.checkpointed(position);
    return balances[user];
  }
  return pay;
}

// Kafka
async function kafka() {
  const config = { brokers: ['127.0.0.1:9092'], groupId: 'totals' };
  const events = Stream.fromKafkaBatched('events', config, { decode: 'json', startFrom: 'earliest', maxBatchSize: 10_000 });
  const dead = kafkaDeadLetters('events-dead', config);
  events
    .map((batch: { user: string; amount: number }[]) => batch.map((e) => ({ ...e, cents: Math.round(e.amount * 100) })))
    .onError({ deadLetter: dead })
    .toKafka('events-cents', config, { key: (batch) => null, value: (batch) => JSON.stringify(batch) });
  await runJob(events, { name: 'cents', checkpoint: { every: { ms: 1000 } } }).done;
}

// Streaming DataFrames
const source = new Stream<unknown>();
const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64', ts: 'timestamp' } });

const big = sdf.filter(sdf.col('v').gt(0.5)).assign({ w: sdf.col('v').mul(2) });
const totals = sdf.groupby('k').col('v').sum();
const stats = sdf.groupby('k').agg({ v: ['sum', 'mean', 'max'] });
const recent = sdf.window({ n: 10_000 }).groupby('k').col('v').mean();
const lastTen = sdf.window({ value: '10s', on: 'ts' }).col('v').sum();
const smooth = sdf.col('v').rolling(100).mean();
totals.stream.sink((frame) => console.log(frame.toRows()));
source.emit({ k: ['a', 'b'], v: Float64Array.of(1, 2), ts: [Date.now(), Date.now()] });
source.emit([{ k: 'a', v: 3, ts: Date.now() }]);

const job = defineJob(() => {
  const lines = Stream.fromTextFile('events.jsonl', { follow: false });
  lines.map((l) => JSON.parse(l)).accumulate((n: number) => n + 1, { start: 0 }).name('count');
  return { name: 'totals', sources: lines };
});
export { kafka, totalsList, sources, jobs, checkpointStores, readYourWrites, big, stats, recent, lastTen, smooth, job };
