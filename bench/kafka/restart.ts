/**
 * Restart time of a checkpointed Kafka job in the same consumer group: a child process runs
 * fromKafkaBatched → DataFrame groupby under runJob (test/kafka/fixtures/stop-job.ts, default
 * consumer settings: 10 s session) while a producer writes 50 messages every 50 ms; once it has
 * committed a checkpoint it is SIGKILLed and started again at once. Measured: SIGKILL → the new
 * process restored its checkpoint → its first processed batch. The group still counts the killed
 * member until its session expires, so the target is at most the session timeout + 2 s.
 *
 * Usage: npx tsx bench/kafka/restart.ts [restarts=5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { GROUP_TIMING } from '../../src/kafka/config.js';
import { startKafkaBroker } from '../../test/fixtures/kafka/broker.js';

const restarts = Number(process.argv[2] ?? 5);
const job = new URL('../../test/kafka/fixtures/stop-job.ts', import.meta.url).pathname;

const broker = await startKafkaBroker({ brokers: 1, topics: { stop: 4 } });
const dir = mkdtempSync(join(tmpdir(), 'sf-kafka-restart-'));
const producer = new Kafka({ clientId: 'bench-restart', brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
let producing = true;
const traffic = (async () => {
  for (let i = 0; producing; i++) {
    await producer.send({ topic: 'stop', messages: Array.from({ length: 50 }, (_, j) => ({ key: `k${j % 13}`, value: JSON.stringify({ k: `k${j % 13}`, v: i }) })) });
    await new Promise((r) => setTimeout(r, 50));
  }
})();

/** Start the job; resolve the times (ms since `from`) of its restore and its first batch after `from`. */
function start(from: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', job, broker.bootstrap, 'restart-bench', join(dir, 'store')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const times = { restored: NaN, firstBatch: NaN };
  let committed!: () => void;
  let batched!: () => void;
  const firstCommit = new Promise<void>((r) => (committed = r));
  const firstBatch = new Promise<void>((r) => (batched = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const now = performance.now() - from;
    if (line.startsWith('restored ')) times.restored = now;
    if (line.startsWith('rows ') && Number.isNaN(times.firstBatch)) {
      times.firstBatch = now;
      batched();
    }
    if (line.startsWith('committed ')) committed();
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, times, firstCommit, firstBatch, exited };
}

const results: { restored: number; firstBatch: number }[] = [];
try {
  let run = start(performance.now());
  await run.firstCommit;
  for (let i = 0; i < restarts; i++) {
    run.child.kill('SIGKILL');
    const killedAt = performance.now();
    await run.exited;
    run = start(killedAt);
    await run.firstBatch;
    results.push({ ...run.times });
    process.stderr.write(`restart ${i + 1}/${restarts}: restored after ${(run.times.restored / 1000).toFixed(2)} s, first batch after ${(run.times.firstBatch / 1000).toFixed(2)} s\n`);
    await run.firstCommit;
  }
  run.child.kill('SIGTERM');
  await run.exited;
} finally {
  producing = false;
  await traffic;
  await producer.disconnect();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const stats = (xs: number[]) => {
  const s = sorted(xs);
  return `${(s[0] / 1000).toFixed(2)} / ${(s[Math.floor(s.length / 2)] / 1000).toFixed(2)} / ${(s[s.length - 1] / 1000).toFixed(2)}`;
};
console.log(
  [
    `Restart in the same consumer group after SIGKILL, ${restarts} restarts (session timeout ${GROUP_TIMING.sessionTimeout / 1000} s, the default; librdkafka mock broker, node ${process.version})`,
    '',
    '| SIGKILL → | min / median / max, s |',
    '|---|---|',
    `| new process restored its checkpoint | ${stats(results.map((r) => r.restored))} |`,
    `| its first processed batch | ${stats(results.map((r) => r.firstBatch))} |`,
  ].join('\n'),
);
