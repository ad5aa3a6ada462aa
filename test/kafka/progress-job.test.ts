import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressClient, ProgressTimeoutError, ProgressTopicMissingError, runJob, Stream, type Job } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { captureLogs, restoreLogs } from '../fixtures/logs.js';
import { clientConfig, consumerConfig, TestKafka, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;
let producer: Producer;
let client: ProgressClient;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { orders: 2, idle: 1 } });
  k = new TestKafka(broker);
  producer = k.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  client = new ProgressClient(clientConfig(broker));
}, 180_000);

afterAll(async () => {
  await client?.close();
  await producer?.disconnect();
  await k?.close();
  await broker?.stop();
});

/** A job summing order amounts per partition, its sums readable in-process. */
function sumJob(group: string, options: { every?: number } = {}): { job: Job; sums: Map<number, number> } {
  const sums = new Map<number, number>();
  const orders = Stream.fromKafka('orders', consumerConfig(broker, group), { keys: true, decode: 'json', startFrom: 'earliest' });
  orders.sink((r) => void sums.set(r.partition, (sums.get(r.partition) ?? 0) + r.value.amount));
  const dir = mkdtempSync(join(tmpdir(), 'sf-progress-'));
  const job = runJob(orders, {
    name: group,
    handleSignals: false,
    progress: { intervalMs: 20 },
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    checkpoint: { store: dir, every: { ms: options.every ?? 200 } },
  });
  return { job, sums };
}

const send = (partition: number, amount: number) => producer.send({ topic: 'orders', acks: -1, messages: [{ partition, value: JSON.stringify({ amount }) }] });

describe('a job publishes its progress; a publisher waits for it', () => {
  it('waitProcessed resolves once the job has processed the record (processed and checkpointed levels)', async () => {
    const { job, sums } = sumJob('view-a');
    try {
      for (let i = 0; i < 5; i++) {
        const meta = await send(i % 2, 10);
        await client.waitProcessed(meta, { group: 'view-a', timeoutMs: 60_000 });
        // Read your write: the sum in memory includes this order.
        expect(sums.get(i % 2)).toBe(10 * (Math.floor(i / 2) + 1));
      }
      const meta = await send(0, 5);
      await client.waitProcessed(meta, { group: 'view-a', level: 'checkpointed', timeoutMs: 60_000 });
      expect(sums.get(0)).toBe(35);
      expect(job.lastCheckpoint).toBeDefined();
    } finally {
      await job.stop();
    }
  }, 180_000);

  it('serves GET /progress as a long poll next to /metrics', async () => {
    const { job } = sumJob('view-http');
    try {
      await waitFor(() => job.metricsPort !== undefined, 20_000, () => 'metrics port');
      const base = `http://127.0.0.1:${job.metricsPort}`;
      const [meta] = await send(1, 1);
      const offset = meta.baseOffset!;
      const polled = await fetch(`${base}/progress?topic=orders&partition=1&offset=${offset}&level=processed&timeoutMs=60000`);
      expect(polled.status).toBe(200);
      const body = (await polled.json()) as { processed: string; passed: boolean; group: string };
      expect(body).toMatchObject({ group: 'view-http', passed: true });
      expect(BigInt(body.processed)).toBeGreaterThan(BigInt(offset));
      // A wait that cannot be met in time: 408 with the current figures.
      const far = await fetch(`${base}/progress?topic=orders&partition=1&offset=999999&timeoutMs=50`);
      expect(far.status).toBe(408);
      expect(await far.json()).toMatchObject({ passed: false, partition: 1, processed: body.processed });
      // Bad parameters, each named.
      expect((await fetch(`${base}/progress?topic=nope&partition=0&offset=1`)).status).toBe(404);
      const badOffset = await fetch(`${base}/progress?topic=orders&partition=0&offset=-1`);
      expect(badOffset.status).toBe(400);
      expect(((await badOffset.json()) as { error: string }).error).toMatch(/offset/);
      expect((await fetch(`${base}/progress?topic=orders&partition=x&offset=1`)).status).toBe(400);
      expect((await fetch(`${base}/progress?topic=orders&partition=0&offset=1&level=soon`)).status).toBe(400);
      expect((await fetch(`${base}/progress?topic=orders&partition=0&offset=1&timeoutMs=-5`)).status).toBe(400);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      const all = (await (await fetch(`${base}/progress`)).json()) as Record<string, Record<string, unknown>>;
      expect(Object.keys(all['view-http'])).toContain('orders/1');
    } finally {
      await job.stop();
    }
  }, 180_000);

  it('rejects on timeout with the job, partition, wanted and current offsets', async () => {
    const { job } = sumJob('view-slow');
    try {
      await client.waitProcessed(await send(0, 1), { group: 'view-slow', timeoutMs: 60_000 });
      const wanted = { topic: 'orders', partition: 0, offset: '1000000' };
      const error = await client.waitProcessed(wanted, { group: 'view-slow', timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProgressTimeoutError);
      const e = error as ProgressTimeoutError;
      expect(e).toMatchObject({ group: 'view-slow', topic: 'orders', partition: 0, wanted: '1000000', level: 'processed', timeoutMs: 300 });
      expect(e.current?.processed).toMatch(/^\d+$/);
      expect(e.message).toMatch(/view-slow.*orders\/0.*1000000.*processed \d+/);
    } finally {
      await job.stop();
    }
  }, 180_000);

  it('says when a group has no progress topic, and refuses bad record metadata', async () => {
    const missing = await client.waitProcessed({ topic: 'orders', partition: 0, offset: '0' }, { group: 'no-such-job', timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ProgressTopicMissingError);
    expect((missing as Error).message).toMatch(/no-such-job\.progress.*no-such-job/);
    await expect(client.waitProcessed({ topic: 'orders', partition: -1, offset: '0' }, { group: 'view-a' })).rejects.toThrow(/topic, partition, offset/);
    await expect(client.waitProcessed([], { group: 'view-a' })).rejects.toThrow(/empty/);
    await expect(client.waitProcessed({ topic: 'orders', partition: 0, offset: '0' }, {})).rejects.toThrow(/group/);
    await expect(client.waitProcessed({ topic: 'orders', partition: 0, offset: '0' }, { group: 'view-a', level: 'later' as 'processed' })).rejects.toThrow(/level/);
    await expect(client.waitProcessed([{ topicName: 'orders', partition: 0, errorCode: 6 }], { group: 'view-a' })).rejects.toThrow(/error code 6/);
  }, 30_000);

  it('skips malformed records of the progress topic with a log line, and waits on', async () => {
    const logs = captureLogs();
    const { job } = sumJob('view-junk');
    try {
      await client.waitProcessed(await send(1, 1), { group: 'view-junk', timeoutMs: 60_000 });
      await producer.send({
        topic: 'view-junk.progress',
        messages: [
          { key: 'orders/1', value: 'not json' },
          { key: 'orders/1', value: JSON.stringify({ group: 'view-junk', topic: 'orders', partition: 1, processed: 'lots', checkpointed: null, member: 'x', at: 1 }) },
          { key: 'orders/1', value: null },
        ],
      });
      const meta = await send(1, 1);
      await client.waitProcessed(meta, { group: 'view-junk', timeoutMs: 60_000 });
      // A fresh client reads the topic from the start, junk included.
      const fresh = new ProgressClient(clientConfig(broker));
      try {
        await fresh.waitProcessed(meta, { group: 'view-junk', timeoutMs: 60_000 });
      } finally {
        await fresh.close();
      }
      const skipped = logs.filter((l) => l.message === 'skipped a record of the progress topic that is not a progress record').map((l) => l.reason);
      expect(skipped).toEqual(expect.arrayContaining([expect.stringMatching(/not JSON/), expect.stringMatching(/bad processed offset "lots"/), expect.stringMatching(/tombstone/)]));
    } finally {
      restoreLogs();
      await job.stop();
    }
  }, 180_000);

  it('waits for several jobs at once (fan-out), over one consumer per progress topic', async () => {
    const a = sumJob('fan-a');
    const b = sumJob('fan-b');
    try {
      const metas = await Promise.all([send(0, 3), send(1, 4)]);
      await Promise.all(metas.map((m) => client.waitProcessed(m, { groups: ['fan-a', 'fan-b'], timeoutMs: 60_000 })));
      for (const { sums } of [a, b]) expect([sums.get(0) ?? 0, sums.get(1) ?? 0].every((s) => s > 0)).toBe(true);
      expect(client.topics.filter((t) => t.startsWith('fan-')).sort()).toEqual(['fan-a.progress', 'fan-b.progress']);
    } finally {
      await Promise.all([a.job.stop(), b.job.stop()]);
    }
  }, 180_000);

  it('publishes to a topic of its choice, and without checkpoints only processed moves', async () => {
    const orders = Stream.fromKafka('orders', consumerConfig(broker, 'view-custom'), { startFrom: 'earliest' });
    orders.sink(() => {});
    const job = runJob(orders, { name: 'view-custom', handleSignals: false, progress: { topic: 'custom-progress', intervalMs: 10 } });
    try {
      const meta = await send(0, 1);
      await client.waitProcessed(meta, { group: 'view-custom', progressTopic: 'custom-progress', timeoutMs: 60_000 });
      const e = (await client.waitProcessed(meta, { group: 'view-custom', progressTopic: () => 'custom-progress', level: 'checkpointed', timeoutMs: 200 }).catch((x: unknown) => x)) as ProgressTimeoutError;
      expect(e).toBeInstanceOf(ProgressTimeoutError);
      expect(e.current).toMatchObject({ checkpointed: null });
      expect(e.message).toMatch(/checkpointed unknown/);
      expect(await k.highWatermarks('view-custom.progress').catch(() => 'absent')).toBe('absent');
    } finally {
      await job.stop();
    }
  }, 180_000);

  it('refuses progress on a job without a Kafka source', () => {
    expect(() => runJob(Stream.fromIterable([1, 2]), { name: 'plain', progress: true })).toThrow(/progress.*no Kafka source \(fromIterable/);
  });
});
