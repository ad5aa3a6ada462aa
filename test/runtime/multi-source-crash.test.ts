import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { TestKafka } from '../kafka/helpers.js';
import { crashUntilDone, watchChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/multi-source-job.mjs', import.meta.url).pathname;
const TOTAL = 30_000;
const KILLS = 8;

let broker: KafkaTestBroker;
let input: string;
let dir: string;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { pairs: 1 } });
  dir = mkdtempSync(join(tmpdir(), 'sf-multi-source-'));
  input = join(dir, 'lines.jsonl');
  const random = seededRandom(1122);
  const element = (i: number) => JSON.stringify({ i, v: Math.floor(random() * 2000) - 1000 });
  writeFileSync(input, Array.from({ length: TOTAL }, (_, i) => element(i)).join('\n') + '\n');
  const kafka = new TestKafka(broker);
  await kafka.produce('pairs', Array.from({ length: TOTAL }, (_, i) => ({ value: element(i) })));
  await kafka.close();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

describe('multi-source crash test: a file and a Kafka topic into zip and union, SIGKILLed anywhere', () => {
  it(`every restart restores a consistent cut across both sources, and the end state equals an uninterrupted run (${KILLS} kills, same consumer group)`, async () => {
    const bootstrap = broker.brokers.join(',');
    const reference = watchChild(job, [bootstrap, 'reference', input, join(dir, 'reference-store'), join(dir, 'reference.json'), String(TOTAL)]);
    expect((await reference.exit).code).toBe(0);
    const t = reference.commitTimes;
    expect(t.length).toBeGreaterThan(KILLS / 2);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    const { kills, inStoreKills, restoredFrom } = await crashUntilDone({
      random: seededRandom(5),
      kills: KILLS,
      writesPerCheckpoint: 5, // zip, zipped, unioned, metadata, commit marker
      interval: (t.at(-1)! - t[0]) / (t.length - 1),
      nodes: ['zip', 'zipped', 'unioned'],
      store,
      start: (crashAt) => watchChild(job, [bootstrap, 'crashy', input, store, result, String(TOTAL), crashAt], 180_000),
    });
    expect(kills).toBe(KILLS);
    expect(inStoreKills).toBeGreaterThan(0);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(KILLS / 2);
    const expected = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.zipped).toMatchObject({ pairs: TOTAL, misaligned: 0, nextI: TOTAL });
    expect(actual).toEqual(expected);
  }, 600_000);
});
