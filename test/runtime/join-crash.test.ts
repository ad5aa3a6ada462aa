import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntervalJoinState, TemporalJoinState } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { TestKafka } from '../kafka/helpers.js';
import { crashUntilDone, watchChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/join-job.mjs', import.meta.url).pathname;
const TOTAL = 10_000;
const KILLS = 8;
const BASE = 1_700_000_000_000;

let broker: KafkaTestBroker;
let input: string;
let dir: string;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { orders: 1 } });
  dir = mkdtempSync(join(tmpdir(), 'sf-join-crash-'));
  input = join(dir, 'payments.jsonl');
  // Orders every 10 ms of event time, up to 30 ms out of order; payments likewise, each for an
  // order up to 5 places away, so some fall within [-60, +40] ms of their order and some do not.
  const random = seededRandom(20261127);
  const keys = Array.from({ length: TOTAL }, () => `k${Math.floor(random() * 40)}`);
  const at = (i: number) => BASE + i * 10 + Math.floor(random() * 30);
  const orders = keys.map((k, i) => ({ value: JSON.stringify({ i, k, ts: at(i) }) }));
  const payments = Array.from({ length: TOTAL }, (_, i) => JSON.stringify({ i, k: keys[Math.min(TOTAL - 1, Math.max(0, i + Math.floor(random() * 11) - 5))], ts: at(i) }));
  writeFileSync(input, payments.join('\n') + '\n');
  const kafka = new TestKafka(broker);
  await kafka.produce('orders', orders);
  await kafka.close();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

/** A join state without its processing-time parts (how long each partition has been quiet). */
function eventTimeOnly(state: unknown) {
  const s = state as IntervalJoinState<unknown, unknown> | TemporalJoinState<unknown, unknown>;
  return { ...s, watermarks: s.watermarks.map((w) => ({ ...w, partitions: w.partitions.map(([id, maxTs]) => [id, maxTs]) })) };
}

describe('join crash test: orders from a Kafka topic joined with payments from a file on event time (interval and as-of), SIGKILLed anywhere', () => {
  it(`every restart restores both sides' held elements and watermarks, and the result equals an uninterrupted run (${KILLS} kills, same consumer group)`, async () => {
    const bootstrap = broker.brokers.join(',');
    const reference = watchChild(job, [bootstrap, 'reference', input, join(dir, 'reference-store'), join(dir, 'reference.json'), String(TOTAL)]);
    expect((await reference.exit).code).toBe(0);
    const t = reference.commitTimes;
    expect(t.length).toBeGreaterThan(KILLS / 2);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    const { kills, inStoreKills, restoredFrom } = await crashUntilDone({
      random: seededRandom(11),
      kills: KILLS,
      writesPerCheckpoint: 8, // join, joined, asof, asofJoined, late, read, metadata, commit marker
      interval: (t.at(-1)! - t[0]) / (t.length - 1),
      nodes: ['join', 'joined', 'asof', 'asofJoined', 'late', 'read'],
      comparable: (id, state) => (id === 'join' || id === 'asof' ? eventTimeOnly(state) : state),
      store,
      start: (crashAt) => watchChild(job, [bootstrap, 'crashy', input, store, result, String(TOTAL), crashAt], 180_000),
    });
    expect(kills).toBe(KILLS);
    expect(inStoreKills).toBeGreaterThan(0);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(KILLS / 2);

    const expected = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    // The data exercises both outcomes, and nothing is late: each side's disorder is within outOfOrder.
    expect(expected.joined.pairs).toBeGreaterThan(TOTAL / 10);
    expect(expected.joined.unmatched).toBeGreaterThan(TOTAL / 10);
    expect(expected.asofJoined.pairs).toBeGreaterThan(TOTAL / 10);
    expect(expected.asofJoined.unmatched).toBeGreaterThan(TOTAL / 10);
    expect(expected.late).toBe(0);
    expect(actual.read).toEqual({ orders: TOTAL, payments: TOTAL });
    expect(actual.joined).toEqual(expected.joined);
    expect(actual.asofJoined).toEqual(expected.asofJoined);
    expect(actual.late).toEqual(expected.late);
    // What the joins still hold at the end (each side in arrival order) is the same too.
    expect(eventTimeOnly(actual.join)).toEqual(eventTimeOnly(expected.join));
    expect(eventTimeOnly(actual.asof)).toEqual(eventTimeOnly(expected.asof));
  }, 600_000);
});
