/**
 * Kafka benchmark on the test broker (librdkafka's mock cluster): small JSON messages
 * `{"k":"key17","v":0.123}` in 4-partition topics, consumed
 *  - raw: a consumer (eachBatch, JSON.parse of every value, nothing else);
 *  - fromKafkaBatched: decode 'json' -> a per-key sum in an `accumulate`, offsets committed by refcount;
 *    these two on both clients, kafkajs and @confluentinc/kafka-javascript (client 'confluent', when
 *    installed), interleaved in one run;
 *  - fromKafkaBatched under runJob with a checkpoint every second (the sums and the offsets).
 * The mock keeps at most 100 000 messages / 5 MB per partition, so the messages go into rounds of
 * 250 000 (one fresh topic each); each variant reads every round and the times add up.
 * Times run from the first message received to the last (group joins excluded), in wall-clock
 * seconds and in this process's CPU seconds (user + system, librdkafka's threads included); the
 * best of the passes is the one with the least CPU, which a loaded machine disturbs less.
 *
 * Usage: npx tsx bench/kafka/run.ts [messages=1000000] [passes=2]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import '../../src/index.js';
import { Stream, runJob } from '../../src/index.js';
import { createKafka, type KafkaClientName } from '../../src/kafka/config.js';
import { startKafkaBroker, type KafkaTestBroker } from '../../test/fixtures/kafka/broker.js';
import { kcatProduce } from '../kcat.js';

const total = Number(process.argv[2] ?? 1_000_000);
/** Each variant reads each round this many times (a fresh group each time); the best time counts. */
const passes = Number(process.argv[3] ?? 2);
const perRound = 250_000;
const rounds = Math.ceil(total / perRound);
const KEYS = 100;

type Sums = Record<string, number>;
interface Timing {
  seconds: number;
  cpu: number;
  count: number;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const client = (broker: KafkaTestBroker) => ({ brokers: broker.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 });
const consumerOptions = { sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 };

function line(i: number): string {
  return JSON.stringify({ k: `key${i % KEYS}`, v: Math.round(((i * 7919) % 1000) / 1000 * 1000) / 1000 });
}

/**
 * Produce with kcat (librdkafka: fast) when installed, else with kafkajs; message i goes to
 * partition i % 4, so no partition exceeds the mock's 100 000-message cap.
 */
async function produce(broker: KafkaTestBroker, topic: string, from: number, n: number): Promise<void> {
  const byPartition: string[][] = [[], [], [], []];
  for (let i = from; i < from + n; i++) byPartition[i % 4].push(line(i));
  if (spawnSync('kcat', ['-V']).status === 0) {
    await kcatProduce(broker.bootstrap, topic, byPartition);
  } else {
    const p = new Kafka({ clientId: 'bench', ...client(broker) }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await p.connect();
    for (const [partition, lines] of byPartition.entries()) {
      for (let i = 0; i < lines.length; i += 10_000) await p.send({ topic, messages: lines.slice(i, i + 10_000).map((value) => ({ value, partition })) });
    }
    await p.disconnect();
  }
  const admin = new Kafka({ clientId: 'bench', ...client(broker) }).admin();
  await admin.connect();
  const high = (await admin.fetchTopicOffsets(topic)).reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
  await admin.disconnect();
  if (high !== n) throw new Error(`${topic} holds ${high} messages, not ${n}`);
}

/** Resolve when `finished` does; reject if that takes over a minute (with how far it got). */
function bounded(finished: Promise<void>, what: string, progress: () => number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    finished,
    new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: only ${progress()} messages after 60 s`)), 60_000))),
  ]).finally(() => clearTimeout(timer));
}

async function raw(broker: KafkaTestBroker, topic: string, n: number, lib: KafkaClientName = 'kafkajs'): Promise<Timing> {
  const consumer = createKafka({ ...client(broker), client: lib }, 'bench-raw').consumer({ groupId: `raw-${topic}-${Math.random()}`, ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let first = 0;
  let last = 0;
  let firstCpu = 0;
  let lastCpu = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    autoCommit: false, // parse only: the upper bound for anything built on this client
    eachBatch: async ({ batch }) => {
      if (first === 0) [first, firstCpu] = [performance.now(), cpuSeconds()];
      for (const m of batch.messages) JSON.parse(m.value!.toString());
      count += batch.messages.length;
      if (count >= n) {
        [last, lastCpu] = [performance.now(), cpuSeconds()];
        done();
      }
    },
  });
  await bounded(finished, `raw ${topic}`, () => count);
  await consumer.disconnect();
  return { seconds: (last - first) / 1000, cpu: lastCpu - firstCpu, count };
}

function pipeline(broker: KafkaTestBroker, topic: string, group: string, n: number, lib: KafkaClientName = 'kafkajs') {
  const src = Stream.fromKafkaBatched(topic, { ...client(broker), client: lib, groupId: group, ...consumerOptions }, { startFrom: 'earliest', decode: 'json', maxBatchSize: 10_000 }).name('events');
  let count = 0;
  let first = 0;
  let last = 0;
  let firstCpu = 0;
  let lastCpu = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  src
    .accumulate(
      (sums: Sums, batch: { k: string; v: number }[]) => {
        for (const { k, v } of batch) sums[k] = (sums[k] ?? 0) + v;
        return sums;
      },
      { start: {} as Sums },
    )
    .name('sums');
  src.sink((batch: unknown[]) => {
    if (first === 0) [first, firstCpu] = [performance.now(), cpuSeconds()];
    count += batch.length;
    if (count >= n) {
      [last, lastCpu] = [performance.now(), cpuSeconds()];
      done();
    }
  });
  return { src, finished: bounded(finished, `${group}`, () => count), result: () => ({ seconds: (last - first) / 1000, cpu: lastCpu - firstCpu, count }) };
}

async function streamframe(broker: KafkaTestBroker, topic: string, n: number, lib: KafkaClientName = 'kafkajs'): Promise<Timing> {
  const p = pipeline(broker, topic, `sf-${topic}-${Math.random()}`, n, lib);
  const running = p.src.start();
  await p.finished;
  p.src.stop();
  await running;
  return p.result();
}

async function withCheckpoints(broker: KafkaTestBroker, topic: string, n: number, dir: string, ms: number): Promise<Timing & { checkpoints: number }> {
  const name = `cp${ms}-${topic}-${Math.random().toString(36).slice(2)}`;
  const p = pipeline(broker, topic, name, n);
  const job = runJob(p.src, { name, checkpoint: { store: join(dir, name), every: { ms } }, handleSignals: false });
  await p.finished;
  const checkpoints = job.lastCheckpoint?.checkpoint ?? 0;
  await job.stop();
  return { ...p.result(), checkpoints };
}

const runtimeAvailable = typeof runJob === 'function';
const confluentAvailable = (() => {
  try {
    createKafka({ brokers: ['127.0.0.1:1'], client: 'confluent' }, 'probe');
    return true;
  } catch {
    return false;
  }
})();

const broker = await startKafkaBroker({ brokers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'sf-kafka-bench-'));
const totals = { raw: 0, sf: 0, cp: 0, checkpoints: 0, cp100: 0, checkpoints100: 0, ckRaw: 0, ckSf: 0 };
/** CPU seconds of the same variants. */
const cpu = { raw: 0, sf: 0, cp: 0, cp100: 0, ckRaw: 0, ckSf: 0 };
let produced = 0;
try {
  for (let r = 0; r < rounds; r++) {
    const n = Math.min(perRound, total - produced);
    const topic = `bench-${r}`;
    await broker.createTopic(topic, 4);
    const t0 = performance.now();
    await produce(broker, topic, produced, n);
    produced += n;
    process.stderr.write(`round ${r + 1}/${rounds}: produced ${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s; `);
    const best = async <T extends Timing>(run: () => Promise<T>): Promise<T> => {
      let b: T | undefined;
      for (let i = 0; i < passes; i++) {
        const t = await run();
        if (b === undefined || t.cpu < b.cpu) b = t;
      }
      return b!;
    };
    const a = await best(() => raw(broker, topic, n));
    const b = await best(() => streamframe(broker, topic, n));
    totals.raw += a.seconds;
    totals.sf += b.seconds;
    cpu.raw += a.cpu;
    cpu.sf += b.cpu;
    let ckText = '';
    if (confluentAvailable) {
      const ca = await best(() => raw(broker, topic, n, 'confluent'));
      const cb = await best(() => streamframe(broker, topic, n, 'confluent'));
      totals.ckRaw += ca.seconds;
      totals.ckSf += cb.seconds;
      cpu.ckRaw += ca.cpu;
      cpu.ckSf += cb.cpu;
      ckText = `; confluent: raw ${ca.seconds.toFixed(2)} s (CPU ${ca.cpu.toFixed(2)}), fromKafkaBatched ${cb.seconds.toFixed(2)} s (CPU ${cb.cpu.toFixed(2)})`;
    }
    let cpText = '';
    if (runtimeAvailable) {
      const c = await best(() => withCheckpoints(broker, topic, n, dir, 1000));
      totals.cp += c.seconds;
      cpu.cp += c.cpu;
      totals.checkpoints += c.checkpoints;
      const d = await best(() => withCheckpoints(broker, topic, n, dir, 100));
      totals.cp100 += d.seconds;
      cpu.cp100 += d.cpu;
      totals.checkpoints100 += d.checkpoints;
      cpText = `, checkpoint every 1 s ${c.seconds.toFixed(2)} s (${c.checkpoints}), every 100 ms ${d.seconds.toFixed(2)} s (${d.checkpoints})`;
    }
    process.stderr.write(`raw ${a.seconds.toFixed(2)} s (CPU ${a.cpu.toFixed(2)}), fromKafkaBatched ${b.seconds.toFixed(2)} s (CPU ${b.cpu.toFixed(2)})${cpText}${ckText}\n`);
  }
} finally {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}

const rate = (s: number) => `${(produced / s / 1000).toFixed(0)}k`;
/** A table row: wall-clock seconds and rate, CPU seconds and rate, and the CPU rate ÷ raw kafkajs'. */
const row = (name: string, key: keyof typeof cpu) =>
  `| ${name} | ${totals[key].toFixed(2)} | ${rate(totals[key])} | ${cpu[key].toFixed(2)} | ${rate(cpu[key])} | ${(cpu.raw / cpu[key]).toFixed(2)} |`;
const rows = [
  `Kafka consumption, ${produced.toLocaleString('en')} JSON messages (${rounds} × 4-partition topics, librdkafka mock broker, node ${process.version}, best of ${passes} per round by CPU)`,
  '',
  '| variant | seconds | msgs/s | CPU s | msgs per CPU s | CPU rate ÷ raw kafkajs |',
  '|---|---|---|---|---|---|',
  row('raw kafkajs eachBatch + JSON.parse', 'raw'),
  row('fromKafkaBatched(decode json) → accumulate per-key sum, refcount commits', 'sf'),
];
if (runtimeAvailable) {
  rows.push(row(`same under runJob, checkpoint every 1 s (${totals.checkpoints} checkpoints while measured)`, 'cp'));
  rows.push(row(`same under runJob, checkpoint every 100 ms (${totals.checkpoints100} checkpoints while measured)`, 'cp100'));
} else {
  rows.push('| same under runJob, checkpoint every 1 s | — | — | — | — | runJob not available |');
}
if (confluentAvailable) {
  rows.push(row('raw @confluentinc/kafka-javascript eachBatch + JSON.parse', 'ckRaw'));
  rows.push(row("fromKafkaBatched on client 'confluent', same pipeline", 'ckSf'));
} else {
  rows.push("| client 'confluent' | — | — | — | — | @confluentinc/kafka-javascript not installed |");
}
console.log(rows.join('\n'));
