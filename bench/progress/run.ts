/**
 * Read-your-writes benchmark on the test broker (librdkafka's mock cluster), 4-partition topics of
 * small JSON messages `{"k":"key17","v":0.5}`:
 *  1. latency: a job (bench/progress/job.ts, a child process: fromKafkaBatched → per-key sums,
 *     checkpoint every second, progress on with its defaults) reads a topic that a producer fills
 *     at a steady rate; every 50 ms a probe message is sent and the time from its acknowledgement
 *     to `waitProcessed` resolving is taken, at level processed and (every 4th probe) checkpointed;
 *  2. overhead: the same job in this process reads pre-produced messages to the end, progress off
 *     and on, alternating; the best time of each counts (the last four fifths of the messages:
 *     connecting and warm-up excluded), and the best CPU
 *     time of this process meanwhile (steadier than wall time while others load the machine).
 *
 * Usage: npx tsx bench/progress/run.ts [rates=1000,50000] [seconds=8] [overheadMessages=400000] [passes=3] [jobPollMs=100]
 * (rates 0: no latency runs; overheadMessages 0: no overhead runs)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ProgressClient, runJob, Stream } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../../test/fixtures/kafka/broker.js';
import { kcatProduce } from '../kcat.js';

const rates = (process.argv[2] ?? '1000,50000').split(',').map(Number).filter((r) => r > 0);
const seconds = Number(process.argv[3] ?? 8);
const overheadMessages = Number(process.argv[4] ?? 400_000);
const passes = Number(process.argv[5] ?? 3);
/** The job's fetch wait (fromKafka's pollInterval): on the mock broker a fetch with nothing new waits this long. */
const jobPollMs = Number(process.argv[6] ?? 100);
const KEYS = 100;
const PROBE_MS = 50;

const client = (broker: KafkaTestBroker) => ({ brokers: broker.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 });
const line = (i: number) => JSON.stringify({ k: `key${i % KEYS}`, v: (i % 1000) / 1000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function startJob(broker: KafkaTestBroker, group: string, store: string, topic: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/progress/job.ts', broker.brokers.join(','), group, store, topic, String(jobPollMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`job exited ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (l) => l === 'ready' && resolve(child));
  });
}

/**
 * Sends `rate` messages/s through kcat (librdkafka, in its own process: kafkajs in this one could
 * not produce 50 000 messages/s beside the probes on this machine), written every 10 ms.
 */
function steadyTraffic(broker: KafkaTestBroker, topic: string, rate: number) {
  const kcat = spawn('kcat', ['-P', '-b', broker.bootstrap, '-t', topic, '-X', 'linger.ms=5', '-X', 'queue.buffering.max.messages=1000000'], { stdio: ['pipe', 'ignore', 'inherit'] });
  let running = true;
  let sent = 0;
  const done = (async () => {
    const started = performance.now();
    while (running) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate) - sent;
      if (due > 0) {
        const lines: string[] = [];
        for (let i = 0; i < due; i++) lines.push(line(sent + i));
        sent += due;
        if (!kcat.stdin.write(lines.join('\n') + '\n')) await new Promise((r) => kcat.stdin.once('drain', r));
      }
      await sleep(10);
    }
    const elapsed = (performance.now() - started) / 1000;
    await new Promise<void>((r) => kcat.once('exit', () => r()).stdin.end());
    return { sent, seconds: elapsed };
  })();
  return { stop: () => ((running = false), done) };
}

async function latency(broker: KafkaTestBroker, rate: number, dir: string) {
  const topic = `ryw-${rate}`;
  const group = `ryw-job-${rate}`;
  await broker.createTopic(topic, 4);
  const job = await startJob(broker, group, join(dir, group), topic);
  const kafka = new Kafka({ clientId: 'bench-progress', ...client(broker) });
  const prober = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await prober.connect();
  const progress = new ProgressClient(client(broker));
  const processed: number[] = [];
  const checkpointed: number[] = [];
  const traffic = steadyTraffic(broker, topic, rate);
  try {
    // Warm up: the client joins its reader group and reads the topic; the job catches up.
    const first = await prober.send({ topic, acks: -1, messages: [{ value: line(0), partition: 0 }] });
    await progress.waitProcessed(first, { group, timeoutMs: 60_000 });
    const until = performance.now() + seconds * 1000;
    const probes: Promise<void>[] = [];
    for (let i = 0; performance.now() < until; i++) {
      probes.push(
        (async () => {
          const meta = await prober.send({ topic, acks: -1, messages: [{ value: line(i), partition: i % 4 }] });
          const acked = performance.now();
          const level = i % 4 === 0 ? 'checkpointed' : 'processed';
          await progress.waitProcessed(meta, { group, level, timeoutMs: 60_000 });
          (level === 'processed' ? processed : checkpointed).push(performance.now() - acked);
        })(),
      );
      await sleep(PROBE_MS);
    }
    await Promise.all(probes);
  } finally {
    const t = await traffic.stop();
    process.stderr.write(`  traffic: ${t.sent} messages in ${t.seconds.toFixed(1)} s = ${Math.round(t.sent / t.seconds)} msgs/s\n`);
    await progress.close();
    await prober.disconnect();
    job.kill('SIGTERM');
    await new Promise((r) => job.once('exit', r));
  }
  const p = [...processed].sort((a, b) => a - b);
  const c = [...checkpointed].sort((a, b) => a - b);
  return { rate, n: p.length, p50: percentile(p, 50), p99: percentile(p, 99), cp50: percentile(c, 50), cp99: percentile(c, 99) };
}

async function produceAll(broker: KafkaTestBroker, topic: string, n: number): Promise<void> {
  const byPartition: string[][] = [[], [], [], []];
  for (let i = 0; i < n; i++) byPartition[i % 4].push(line(i));
  if (spawnSync('kcat', ['-V']).status !== 0) throw new Error('kcat is needed to produce the overhead benchmark input quickly');
  await kcatProduce(broker.bootstrap, topic, byPartition);
}

/**
 * The job in this process, reading `n` messages to the end: seconds from the first to the last, and
 * the CPU seconds this process spent meanwhile (steadier than wall time on a shared machine).
 */
async function readAll(broker: KafkaTestBroker, topic: string, n: number, dir: string, progress: boolean, batched: boolean): Promise<{ wall: number; cpu: number }> {
  const group = `ovh-${progress ? 'on' : 'off'}-${Math.random().toString(36).slice(2)}`;
  const config = { ...client(broker), groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 };
  let count = 0;
  let first = 0;
  let last = 0;
  let cpuFirst: NodeJS.CpuUsage | undefined;
  let cpu = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const sums: Record<string, number> = {};
  const count1 = (size: number) => {
    count += size;
    // Timed after the first fifth: connecting (the progress producer too) and JIT warm-up excluded.
    if (first === 0 && count >= n / 5) {
      first = performance.now();
      cpuFirst = process.cpuUsage();
    }
    if (count >= n) {
      last = performance.now();
      const used = process.cpuUsage(cpuFirst);
      cpu = (used.user + used.system) / 1e6;
      done();
    }
  };
  const src = batched
    ? Stream.fromKafkaBatched(topic, config, { startFrom: 'earliest', decode: 'json', maxBatchSize: 10_000 }).name('events')
    : Stream.fromKafka(topic, config, { startFrom: 'earliest', decode: 'json' }).name('events');
  (src as Stream<any>).sink((x: { k: string; v: number } | { k: string; v: number }[]) => {
    const batch = Array.isArray(x) ? x : [x];
    for (const { k, v } of batch) sums[k] = (sums[k] ?? 0) + v;
    count1(batch.length);
  });
  const job = runJob(src, { name: group, handleSignals: false, progress, checkpoint: { store: join(dir, group), every: { ms: 1_000 } } });
  await finished;
  await job.stop();
  return { wall: (last - first) / 1000, cpu };
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`load average at start: ${load()}`);
const broker = await startKafkaBroker({ brokers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'sf-progress-bench-'));
try {
  if (rates.length > 0) console.log(`job pollInterval ${jobPollMs} ms\n\n| rate (msgs/s) | probes | processed p50 / p99, ms | checkpointed p50 / p99, ms |\n|---|---|---|---|`);
  for (const rate of rates) {
    const r = await latency(broker, rate, dir);
    console.log(`| ${rate} | ${r.n} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${r.cp50.toFixed(1)} / ${r.cp99.toFixed(1)} |`);
  }
  for (const batched of overheadMessages > 0 ? [true, false] : []) {
    const n = batched ? overheadMessages : Math.min(overheadMessages, 200_000);
    const topic = `ovh-${batched ? 'batched' : 'single'}`;
    await broker.createTopic(topic, 4);
    await produceAll(broker, topic, n);
    const best = { off: { wall: Infinity, cpu: Infinity }, on: { wall: Infinity, cpu: Infinity } };
    for (let i = 0; i < passes; i++) {
      for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
        const t = await readAll(broker, topic, n, dir, on, batched);
        const b = on ? best.on : best.off;
        b.wall = Math.min(b.wall, t.wall);
        b.cpu = Math.min(b.cpu, t.cpu);
        process.stderr.write(`  ${topic} progress ${on ? 'on' : 'off'}: ${t.wall.toFixed(2)} s, CPU ${t.cpu.toFixed(2)} s\n`);
      }
    }
    const what = batched ? 'fromKafkaBatched (10 000 per batch)' : 'fromKafka (one element per message)';
    const pct = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
    console.log(`\n${what}, ${n} messages (the last ${(n * 4) / 5} timed), best of ${passes}: progress off ${best.off.wall.toFixed(2)} s (${Math.round((n * 0.8) / best.off.wall / 1000)}k msgs/s, CPU ${best.off.cpu.toFixed(2)} s), on ${best.on.wall.toFixed(2)} s (${Math.round((n * 0.8) / best.on.wall / 1000)}k msgs/s, CPU ${best.on.cpu.toFixed(2)} s): overhead ${pct(best.on.wall, best.off.wall)} wall, ${pct(best.on.cpu, best.off.cpu)} CPU`);
  }
  console.log(`\nload average at the end: ${load()}`);
} finally {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
