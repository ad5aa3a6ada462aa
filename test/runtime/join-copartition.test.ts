import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoPartitionError, joinsAcrossSources, nodeIds, runJob, Stream } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { consumerConfig, TestKafka, waitCommittedToEnd } from '../kafka/helpers.js';

interface Ev {
  k: string;
  ts: number;
}

let broker: KafkaTestBroker;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { orders: 4, payments: 3, refunds: 4, events: 2 } });
}, 60_000);

afterAll(async () => {
  await broker?.stop();
});

const store = () => mkdtempSync(join(tmpdir(), 'sf-copartition-'));
const topic = (name: string, group: string) => Stream.fromKafka(name, consumerConfig(broker, group), { decode: (v): Ev => JSON.parse(String(v)) }).name(name);

describe('partitioned jobs: both inputs of a join must be co-partitioned', () => {
  it('a join of topics with different partition counts fails at start, naming both topics and their counts', async () => {
    const orders = topic('orders', 'copart-1');
    const payments = topic('payments', 'copart-1');
    orders.join(payments, { key: 'k', on: 'ts', within: '1s' }).name('paid');
    const job = runJob([orders, payments], { name: 'paid', partitioned: true, handleSignals: false, logFailure: false, checkpoint: { store: store() } });
    const error = await job.restored.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoPartitionError);
    expect((error as Error).message).toMatch(
      /^join "paid" is not co-partitioned: its left input reads topic "orders" \(4 partitions\), its right input reads topic "payments" \(3 partitions\)\. .*same number of partitions and the same key partitioning/,
    );
    await expect(job.done).rejects.toBe(error);
  }, 60_000);

  it('a table join is checked too; topics with the same count pass the check and run', async () => {
    const orders = topic('orders', 'copart-2');
    const payments = topic('payments', 'copart-2');
    orders.joinLatest(payments, { key: 'k' }).name('latest');
    const bad = runJob([orders, payments], { name: 'latest', partitioned: true, handleSignals: false, logFailure: false, checkpoint: { store: store() } });
    await expect(bad.restored).rejects.toThrow(/join "latest" is not co-partitioned: .*"orders" \(4 partitions\).*"payments" \(3 partitions\)/);

    const orders2 = topic('orders', 'copart-3');
    const refunds = topic('refunds', 'copart-3');
    orders2.join(refunds, { key: 'k', on: 'ts', within: 10 }).name('refunded');
    const same = runJob([orders2, refunds], { name: 'refunded', partitioned: true, handleSignals: false, logFailure: false, checkpoint: { store: store() } });
    await expect(same.restored).resolves.toBeNull();
    await same.stop();
  }, 60_000);

  it('a join of two streams split from one topic is co-partitioned by construction', () => {
    const events = topic('orders', 'copart-4');
    const a = events.filter((e) => e.k < 'm');
    const b = events.filter((e) => e.k >= 'm');
    a.join(b, { key: 'k', on: 'ts', within: 10 }).name('self');
    expect(joinsAcrossSources([events], nodeIds(events))).toEqual([]);
    const other = topic('payments', 'copart-4');
    const across = a.join(other, { key: 'k', on: 'ts', within: 10 }).name('across');
    expect(joinsAcrossSources([events, other], nodeIds([events, other])).map((j) => [j.join, j.sides])).toEqual([[across, [[events], [other]]]]);
  });

  it('runs partitioned when both inputs come from one topic (keyed, so the orders and payments of a key share a partition): every pair found', async () => {
    const kafka = new TestKafka(broker);
    // Orders and payments of a key in one partition (keyed messages); payment i pays order i.
    const messages = Array.from({ length: 200 }, (_, i) => [
      { key: `k${i % 7}`, value: JSON.stringify({ kind: 'order', k: `k${i % 7}`, ts: i * 10, i }) },
      { key: `k${i % 7}`, value: JSON.stringify({ kind: 'payment', k: `k${i % 7}`, ts: i * 10 + 5, i }) },
    ]).flat();
    await kafka.produce('events', messages);
    type E = { kind: string; k: string; ts: number; i: number };
    const events = Stream.fromKafka('events', consumerConfig(broker, 'copart-5'), { startFrom: 'earliest', decode: (v): E => JSON.parse(String(v)) }).name('events');
    const orders = events.filter((e) => e.kind === 'order');
    const payments = events.filter((e) => e.kind === 'payment');
    const pairs: string[] = [];
    orders.join(payments, { key: 'k', on: 'ts', within: { before: 0, after: 5 } }).name('paid').sink(([o, p]) => void pairs.push(`${o.i}-${p.i}`));
    const job = runJob(events, { name: 'paid-tasks', partitioned: true, handleSignals: false, checkpoint: { store: store(), every: { ms: 200 } } });
    await waitCommittedToEnd(kafka, 'copart-5', 'events', 30_000);
    await job.stop();
    await kafka.close();
    expect(pairs.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `${i}-${i}`).sort());
  }, 60_000);
});
