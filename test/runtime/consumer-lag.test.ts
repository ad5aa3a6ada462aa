import { describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';
import { startKafkaBroker } from '../fixtures/kafka/broker.js';
import { consumerConfig, TestKafka, waitFor } from '../kafka/helpers.js';

describe('consumer lag metric', () => {
  it('reports per partition how many messages a Kafka source has not read yet, down to 0', async () => {
    const broker = await startKafkaBroker({ brokers: 1, topics: { events: 2 } });
    const kafka = new TestKafka(broker);
    try {
      await kafka.produce('events', Array.from({ length: 30 }, (_, i) => ({ value: String(i), partition: i < 20 ? 0 : 1 })));
      const source = Stream.fromKafka('events', consumerConfig(broker, 'lag'), { decode: 'string', startFrom: 'earliest' }).name('events');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let seen = 0;
      source.sink(() => (++seen === 1 ? held : undefined)); // the first message holds the source back
      const job = runJob(source, { name: 'lag', handleSignals: false, metrics: true });
      const lagOf = async (partition: number) => {
        const line = new RegExp(`streamframe_consumer_lag\\{source="events",topic="events",partition="${partition}",job="lag"\\} (\\d+)`).exec(await job.metricsText());
        return line === null ? undefined : Number(line[1]);
      };
      await waitFor(async () => seen === 1 && ((await lagOf(0)) !== undefined || (await lagOf(1)) !== undefined), 30_000, () => `seen ${seen}`);
      const first = (await lagOf(0)) ?? (await lagOf(1));
      expect([20, 10]).toContain(first); // the partition being read: nothing of it read yet
      release();
      await waitFor(async () => seen === 30 && (await lagOf(0)) === 0 && (await lagOf(1)) === 0, 30_000, () => `seen ${seen}`);
      await job.stop();
    } finally {
      await kafka.close();
      await broker.stop();
    }
  }, 120_000);
});
