// A partitioned job's tasks across rebalances, two members in one process (one consumer group,
// one filesystem store): a revoked task is checkpointed and released, and its new owner restores
// it from that checkpoint, so per-key results stay exact as partitions move back and forth.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger, runJob, setLogger, Stream, type Job } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { consumerConfig, TestKafka, waitCommittedToEnd, waitFor } from '../kafka/helpers.js';

let broker: KafkaTestBroker;
let kafka: TestKafka;
const logged: { message: string; fields: Record<string, unknown> }[] = [];
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { moves: 4 } });
  kafka = new TestKafka(broker);
  setLogger({ log: (_level, message, fields) => void logged.push({ message, fields: fields ?? {} }) });
}, 60_000);
afterAll(async () => {
  setLogger(jsonLogger());
  await kafka?.close();
  await broker?.stop();
});

interface Event {
  k: string;
  v: number;
}

const group = 'rebalance';
/** Every member's outputs, in the order they happened: `[key, sum so far]`. */
const outputs: [string, number][] = [];

function member(name: string, store: string): Job {
  const events = Stream.fromKafkaBatched('moves', consumerConfig(broker, group), { startFrom: 'earliest', decode: 'json' }).name('events');
  events
    .accumulate(
      (sums: Record<string, number>, batch: Event[]) => {
        const changed: [string, number][] = [];
        for (const e of batch) changed.push([e.k, (sums[e.k] = (sums[e.k] ?? 0) + e.v)]);
        return [sums, changed] as const;
      },
      { start: {}, returnsState: true },
    )
    .name('sums')
    .sink((changed) => void outputs.push(...changed));
  return runJob(events, { name, handleSignals: false, partitioned: { leaseMs: 2_000 }, checkpoint: { store, every: { ms: 300 } } });
}

const expected = new Map<string, number>();
let produced = 0;
async function produce(n: number): Promise<void> {
  const messages = Array.from({ length: n }, (_, i) => {
    const e = { k: `key${(produced + i * 7) % 23}`, v: ((produced + i) % 11) - 5 };
    expected.set(e.k, (expected.get(e.k) ?? 0) + e.v);
    return { key: e.k, value: JSON.stringify(e) };
  });
  produced += n;
  await kafka.produce('moves', messages);
}

const lastPerKey = () => Object.fromEntries([...new Map(outputs)].sort());
const exact = () => Object.fromEntries([...expected].sort());
const restoredTasks = (from: number) => logged.slice(from).filter((l) => l.message === 'task restored');

describe('partitioned job: revoke checkpoints a task, assign restores it', () => {
  it('tasks move to a second member and back with their state; the last output per key stays exact', async () => {
    const store = mkdtempSync(join(tmpdir(), 'sf-rebalance-'));
    await produce(400);
    const a = member('rebalance', store);
    await waitCommittedToEnd(kafka, group, 'moves', 30_000);
    expect(lastPerKey()).toEqual(exact());
    expect(restoredTasks(0).map((l) => l.fields.checkpoint)).toEqual([null, null, null, null]); // a fresh start

    // B joins: A checkpoints the tasks it gives up and releases them; B restores them from there.
    const mark = logged.length;
    const b = member('rebalance', store);
    await waitFor(() => restoredTasks(mark).length >= 1, 30_000, () => `no task moved: ${JSON.stringify(logged.slice(mark))}`);
    const moved = restoredTasks(mark);
    for (const l of moved) expect(l.fields.checkpoint).toBeGreaterThan(0);
    expect(logged.slice(mark).filter((l) => l.message === 'task revoked').length).toBeGreaterThanOrEqual(moved.length);
    await produce(400);
    await waitCommittedToEnd(kafka, group, 'moves', 30_000);
    expect(lastPerKey()).toEqual(exact());

    // B stops: its final checkpoint and release hand its tasks back to A.
    const mark2 = logged.length;
    await b.stop();
    await waitFor(() => restoredTasks(mark2).length >= moved.length, 30_000, () => `tasks did not come back: ${JSON.stringify(logged.slice(mark2))}`);
    for (const l of restoredTasks(mark2)) expect(l.fields.checkpoint).toBeGreaterThan(0);
    await produce(400);
    await waitCommittedToEnd(kafka, group, 'moves', 30_000);
    expect(lastPerKey()).toEqual(exact());
    await a.stop();
  }, 120_000);
});
