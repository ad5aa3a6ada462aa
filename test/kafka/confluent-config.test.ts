import { describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/config.js';

// Configuration the confluent client cannot take is refused with an error naming what to do instead
// (no broker needed: these fail before connecting).
describe("client: 'confluent' configuration", () => {
  const base = { brokers: ['127.0.0.1:1'], client: 'confluent' as const };

  it('refuses an unknown client name', () => {
    expect(() => createKafka({ ...base, client: 'rdkafka' as never }, 't')).toThrow(/config.client must be 'kafkajs' or 'confluent', not "rdkafka"/);
  });

  it('refuses an ssl object, pointing at librdkafka properties', () => {
    expect(() => createKafka({ ...base, ssl: { rejectUnauthorized: false } }, 't')).toThrow(/ssl: true.*ssl\.ca\.location/);
  });

  it('refuses kafkajs assigner functions, saying that co-partitioned partitioned jobs need kafkajs', () => {
    const kafka = createKafka(base, 't');
    expect(() => kafka.consumer({ groupId: 'g', partitionAssigners: [() => ({}) as never] })).toThrow(/partitionAssignors by name.*co-partitioned topics.*use client 'kafkajs'/);
  });

  it('refuses acks other than -1, 0 or 1 per send, and sends before connecting', async () => {
    const producer = createKafka(base, 't').producer();
    await expect(producer.sendBatch({ topicMessages: [], acks: 2 })).rejects.toThrow(/acks must be -1, 0 or 1, not 2/);
    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow(/producer is not connected/);
  });

  it('hands rdkafka properties to librdkafka, which checks them', async () => {
    const producer = createKafka({ ...base, rdkafka: { 'no.such.property': 1 } }, 't').producer();
    await expect(producer.connect()).rejects.toThrow(/no\.such\.property/);
  });
});
