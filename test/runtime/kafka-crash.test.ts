import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { runChild, type ChildRun } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/kafka-crash-job.ts', import.meta.url).pathname;
const MESSAGES = 100_000;
const KILLS = 20;

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

describe('Kafka crash test: SIGKILL at random moments, restart until done', () => {
  it(`ends with exactly the per-key results of an uninterrupted run (4 partitions, ${MESSAGES} messages, ${KILLS}+ kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-kafka-crash-'));
    const bootstrap = broker.brokers.join(',');
    const reference = join(dir, 'reference.json');
    expect((await runChild(job, [bootstrap, 'reference', join(dir, 'reference-store'), reference, String(MESSAGES)])).code).toBe(0);

    const random = seededRandom(7);
    const restoredFrom = new Set<string>(); // the 'restored N' lines of runs that got that far
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
      // Runs the timer kills linger after counting everything; runs that die in the store stop at
      // the total, so their final checkpoint always crashes.
      const tail = finishing ? [] : crashInStore ? [String(1 + Math.floor(random() * 4))] : ['-', 'linger'];
      const args = [bootstrap, group, join(dir, 'crashed-store'), result, String(MESSAGES), ...tail];
      const run: ChildRun = await runChild(job, args, finishing || crashInStore ? undefined : 300 + random() * 1200);
      if (run.stdout.trim() !== '') restoredFrom.add(run.stdout.trim());
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
