import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import { createKafka, type KafkaClientName } from '../../src/kafka/config.js';
import { isRebalance } from '../../src/kafka/membership.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig } from './helpers.js';

// A consumer's commitOffsets, on either client, settles with the broker's answer: the commit
// tracker and checkpoint commits rely on it. (CKJS' own resolves once librdkafka queued the commit.)
let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { cc: 2 } });
  k = new TestKafka(broker);
  await k.produce('cc', [0, 1, 2, 3].map((i) => ({ value: String(i), partition: i % 2 })));
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

async function member(client: KafkaClientName, groupId: string, eachBatch: () => Promise<void>): Promise<Consumer> {
  const config = { ...consumerConfig(broker, groupId), client };
  const consumer = createKafka(config, 'test').consumer(config);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: 'cc', fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  await joined;
  return consumer;
}

describe.each(['kafkajs', 'confluent'] as const)("client '%s': commitOffsets", (client) => {
  let consumer: Consumer;
  const group = `cc-${client}`;
  // The first batch is held until the end: commits made meanwhile must settle all the same.
  let batchStarted!: () => void;
  const inBatch = new Promise<void>((resolve) => (batchStarted = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    consumer = await member(client, group, async () => {
      batchStarted();
      await released;
    });
  });

  afterAll(async () => {
    release();
    await consumer?.disconnect();
  });

  it('resolves when the group holds the offsets (offset 0 too), also while a batch is being processed', async () => {
    await inBatch;
    await consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '1' }, { topic: 'cc', partition: 1, offset: '0' }]);
    const committed = await k.committed(group, 'cc');
    expect([committed.get(0), committed.get(1)]).toEqual(['1', '0']);
  });

  it('rejects a commit the broker refuses, also while a batch is being processed, and commits on the next try', async () => {
    await broker.requestErrors(ApiKey.OffsetCommit, KafkaErrorCode.REBALANCE_IN_PROGRESS, 1);
    await expect(consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '2' }])).rejects.toThrow();
    expect((await k.committed(group, 'cc')).get(0)).toBe('1');
    await consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '2' }]);
    expect((await k.committed(group, 'cc')).get(0)).toBe('2');
  });

  it("between batches, a refused commit's error says it was a rebalance (the source then commits again once rejoined)", async () => {
    release();
    await broker.requestErrors(ApiKey.OffsetCommit, KafkaErrorCode.REBALANCE_IN_PROGRESS, 1);
    const refused = await consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '3' }]).then(() => undefined, (e: unknown) => e);
    expect(isRebalance(refused)).toBe(true);
    expect((await k.committed(group, 'cc')).get(0)).toBe('2');
  });
});
