import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';

const job = new URL('./fixtures/kafka-crash-job.ts', import.meta.url).pathname;
const MESSAGES = 100_000;
const KILLS = 20;

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let broker: KafkaTestBroker;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { events: 4 } });
  const kafka = new Kafka({ clientId: 'crash-producer', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  const random = mulberry32(42);
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

const restoredFrom = new Set<string>();

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killedByUs: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => void restoredFrom.add(d.toString().trim()));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killedByUs = false;
    const timer = setTimeout(() => (killedByUs = child.kill('SIGKILL')), killAfterMs ?? 90_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (killAfterMs === undefined && killedByUs) reject(new Error(`job hung: ${stderr}`));
      else if (code !== 0 && signal === null) reject(new Error(`job exited with ${code}: ${stderr}`));
      else resolve({ code, signal, killedByUs });
    });
  });
}

describe('Kafka crash test: SIGKILL at random moments, restart until done', () => {
  it(`ends with exactly the per-key results of an uninterrupted run (4 partitions, ${MESSAGES} messages, ${KILLS}+ kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-kafka-crash-'));
    const bootstrap = broker.brokers.join(',');
    const reference = join(dir, 'reference.json');
    expect((await runChild([bootstrap, 'reference', join(dir, 'reference-store'), reference, String(MESSAGES)])).code).toBe(0);

    const random = mulberry32(7);
    const result = join(dir, 'crashed.json');
    let kills = 0;
    let midCheckpoint = 0;
    for (let attempt = 0; attempt < 150; attempt++) {
      const finishing = kills >= KILLS;
      const crashInStore = !finishing && random() < 0.3;
      // A fresh consumer group per restart: a SIGKILLed member would hold its partitions until its
      // session times out. Under a job the checkpoint, not the group, says where to read from, and
      // a new group has no offsets at all, so a restart that did not seek would count twice.
      const group = `crashy-${attempt}`;
      const args = [bootstrap, group, join(dir, 'crashed-store'), result, String(MESSAGES), ...(crashInStore ? [String(1 + Math.floor(random() * 4))] : [])];
      const run = await runChild(args, finishing || crashInStore ? undefined : 300 + random() * 1200);
      if (run.code === 0) break;
      expect(run.signal).toBe('SIGKILL');
      kills++;
      if (!run.killedByUs) midCheckpoint++;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(midCheckpoint).toBeGreaterThan(0);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(4); // restarts resumed from several different checkpoints
    const expected = JSON.parse(readFileSync(reference, 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.count).toBe(MESSAGES);
    expect(actual).toEqual(expected);
  }, 400_000);
});
