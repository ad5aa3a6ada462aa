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
    checkpoint: { store: 'checkpoint/totals', every: { elements: 1000 }, keep: 10, strict: false, allowPipelineChange: false, freshIfAllDamaged: false },
  });
  const restored: number | null = await job.restored;
  const n: number = await job.checkpoint();
  await job.stop();
  await job.done;
  return [restored, n];
}

// Sinks and their guarantees
async function exactlyOnce() {
  const lines = Stream.fromTextFile('events.jsonl', { follow: false });
  lines.map((l) => JSON.parse(l)).filter((e) => e.amount > 100).sinkToFiles('out/big').name('big');
  await runJob(lines, { name: 'big', checkpoint: { every: { ms: 1000 } } }).done;
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

// Scale-out: partitioned jobs
async function scaleOut() {
  const brokers = ['127.0.0.1:9092'];
  const events = Stream.fromKafkaBatched('events', { brokers, groupId: 'totals' }, { decode: 'json', startFrom: 'earliest' });
  events
    .accumulate((sums: Record<string, number>, batch: { k: string; v: number }[]) => {
      const changed: [string, number][] = [];
      for (const e of batch) changed.push([e.k, (sums[e.k] = (sums[e.k] ?? 0) + e.v)]);
      return [sums, changed] as const;
    }, { start: {}, returnsState: true })
    .toKafka('sums', { brokers }, { flatten: true, key: ([k]) => k, value: ([, sum]) => String(sum) });
  await runJob(events, { name: 'totals', partitioned: true, checkpoint: { store: 's3://bucket/jobs/totals', every: { ms: 1000 } } }).done;
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
export { kafka, scaleOut, totalsList, sources, jobs, readYourWrites, exactlyOnce, big, stats, recent, lastTen, smooth, job, eventTime, checkpointStores };

// Event time: windows, watermarks, late data
function eventTime() {
  type Click = { user: string; ts: number; page: string };
  const clicks = new Stream<Click>();
  const perMinute = clicks.tumblingWindow('1min', { on: 'ts', key: 'user', outOfOrder: '5s', lateness: '30s', idleClose: '2min' });
  perMinute.sink(({ key, start, end, items, revision }) => console.log(key, start, end, items.length, revision));
  perMinute.late.sink(({ element, reason }) => console.warn(reason, element));
  const visits = clicks.sessionWindow('30min', { on: 'ts', key: 'user' });
  const everyTen = clicks.hoppingCountWindow(100, 10);

  const bids = new DataFrame(new Stream<unknown>(), { example: { auction: 'float64', price: 'float64', ts: 'timestamp' } });
  const w = bids.window({ hopping: '10s', slide: '2s', on: 'ts', outOfOrder: '1s' });
  const counts = w.groupby('auction').agg({ price: ['count', 'max'] });
  const top = bids.window({ tumbling: '10s', on: 'ts' }).filter((rows) => rows.col('price').eq(rows.col('price').max()));
  w.late.stream.sink((rows) => console.warn(`${rows.length} late rows`));
  const columns: { window_start: 'timestamp'; window_end: 'timestamp'; auction: 'float64'; price_count: 'float64'; price_max: 'float64' } = counts.schema;
  // @ts-expect-error the event-time column must be a column of the frame
  bids.window({ tumbling: '10s', on: 'nope' });
  return [visits, everyTen, top, columns];
}

// Joins
function joins() {
  type Order = { orderId: number; user: string; ts: number };
  type Payment = { orderId: number; amount: number; ts: number };
  type Profile = { id: string; country: string };
  type Tier = { user: string; tier: string; ts: number };
  const orders = new Stream<Order>();
  const payments = new Stream<Payment>();
  const profiles = new Stream<Profile>();
  const tiers = new Stream<Tier>();
  const paid = orders.join(payments, { key: 'orderId', on: 'ts', within: { before: '1min', after: '1h' }, outOfOrder: '5s', how: 'left' });
  paid.sink(([order, payment]) => console.log(order.orderId, payment === null ? 'unpaid' : payment.amount));
  paid.late.sink(({ element, reason }) => console.warn(reason, element));
  const withCountry = orders.joinLatest(profiles, { key: { left: 'user', right: 'id' }, ttl: '1d' });
  const tiered = orders.joinAsof(tiers, { key: 'user', on: 'ts', outOfOrder: '5s', ttl: '30d', how: 'left' });
  const typed: [Stream<[Order, Payment | null]>, Stream<[Order, Profile]>, Stream<[Order, Tier | null]>] = [paid, withCountry, tiered];
  return typed;
}
export { joins };
