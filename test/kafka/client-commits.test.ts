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

  it('rejects a commit the broker refuses (CKJS says so once the batch under way ended) with an error the source knows as a rebalance', async () => {
    await broker.requestErrors(ApiKey.OffsetCommit, KafkaErrorCode.REBALANCE_IN_PROGRESS, 1);
    const refused = consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '2' }]).then(() => undefined, (e: unknown) => e);
    release();
    expect(isRebalance(await refused)).toBe(true);
    expect((await k.committed(group, 'cc')).get(0)).toBe('1');
    await consumer.commitOffsets([{ topic: 'cc', partition: 0, offset: '2' }]);
    expect((await k.committed(group, 'cc')).get(0)).toBe('2');
  });
});
