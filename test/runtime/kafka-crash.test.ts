import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { TestKafka, waitCommittedToEnd } from '../kafka/helpers.js';

const job = new URL('./fixtures/kafka-crash-job.ts', import.meta.url).pathname;
const MESSAGES = 100_000;
const KILLS = 8;
const GROUP = 'crashy';

let broker: KafkaTestBroker;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { events: 4 } });
  const kafka = new Kafka({ clientId: 'crash-producer', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  const random = seededRandom(42);
  // Keyed: every message of a key lands in one partition, so each key's sum has one order.
  for (let i = 0; i < MESSAGES; i += 5000) {
    const messages = Array.from({ length: 5000 }, (_, j) => {
      const k = `key${Math.floor(random() * 37)}`;
      return { key: k, value: JSON.stringify({ k, v: random() * 1000 - 500, i: i + j }) };
    });
    await producer.send({ topic: 'events', messages });
  }
  await producer.disconnect();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

interface JobRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The checkpoint the run restored (null: a fresh start; undefined: killed before it said). */
  restored: number | null | undefined;
  killedByUs: boolean;
}

/**
 * Run the job as a child process. With `kill`, SIGKILL it `delayMs` after it reported its
 * `afterCommits`-th committed checkpoint (so every kill lands on a job that restored and made
 * progress). Every run must end (finish, crash in its store or be killed) within `limitMs`.
 */
function runJob(args: string[], kill?: { afterCommits: number; delayMs: number }, limitMs = 120_000): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: JobRun = { code: null, signal: null, restored: undefined, killedByUs: false };
    let commits = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, n] = line.split(' ');
      if (what === 'restored') run.restored = n === 'null' ? null : Number(n);
      if (what === 'committed' && ++commits === kill?.afterCommits) setTimeout(() => (run.killedByUs = child.kill('SIGKILL')), kill.delayMs);
    });
    let hung = false;
    const limit = setTimeout(() => (hung = child.kill('SIGKILL')), limitMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      Object.assign(run, { code, signal });
      if (hung) reject(new Error(`job ${args.join(' ')} did not finish within ${limitMs} ms: ${stderr}`));
      else if (code !== 0 && signal === null) reject(new Error(`job exited with ${code}: ${stderr}`));
      else resolve(run);
    });
  });
}

describe('Kafka crash test: SIGKILL at random moments, restart in the same group until done', () => {
  it(`ends with exactly the per-key results of an uninterrupted run (4 partitions, ${MESSAGES} messages, ${KILLS}+ kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-kafka-crash-'));
    const bootstrap = broker.brokers.join(',');
    const reference = join(dir, 'reference.json');
    expect((await runJob([bootstrap, 'reference', join(dir, 'reference-store'), reference, String(MESSAGES), '-'])).code).toBe(0);

    const random = seededRandom(7);
    const restored: (number | null | undefined)[] = [];
    const result = join(dir, 'crashed.json');
    let kills = 0;
    let inStore = 0;
    for (let attempt = 0; attempt < 60; attempt++) {
      const finishing = kills >= KILLS;
      // Some runs die inside the store: after one of the writes of their first three checkpoints,
      // or (half of them) right after a commit marker, before the group hears of that checkpoint.
      // The others are killed between 0 and 300 ms after their 1st to 3rd committed checkpoint,
      // so kills spread over several checkpoints of every run.
      const crashInStore = !finishing && random() < 0.3;
      const crashAfter = !crashInStore ? '-' : random() < 0.5 ? `m${1 + Math.floor(random() * 3)}` : String(1 + Math.floor(random() * 12));
      const kill = finishing || crashInStore ? undefined : { afterCommits: 1 + Math.floor(random() * 3), delayMs: random() * 300 };
      // Every run joins the same group with default timeouts, as a redeployed job does: the
      // group still counts the killed member until its session expires.
      const run = await runJob([bootstrap, GROUP, join(dir, 'crashed-store'), result, String(MESSAGES), crashAfter], kill);
      restored.push(run.restored);
      if (run.code === 0) break;
      expect(run.signal).toBe('SIGKILL');
      kills++;
      if (!run.killedByUs) inStore++;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(inStore).toBeGreaterThan(0);
    // Restarts resumed from a range of checkpoints, never from an older one than the run before,
    // and the final run did not start fresh.
    const numbers = restored.filter((n): n is number => typeof n === 'number');
    expect(new Set(numbers).size).toBeGreaterThanOrEqual(4);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(restored.at(-1)).toEqual(expect.any(Number));

    const expected = JSON.parse(readFileSync(reference, 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.count).toBe(MESSAGES);
    expect(actual).toEqual(expected);
    // The final checkpoint's offsets reached the group.
    const k = new TestKafka(broker);
    try {
      await waitCommittedToEnd(k, GROUP, 'events', 15_000);
    } finally {
      await k.close();
    }
  }, 600_000);
});
