import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Stream } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { rb: 4 } });
  k = new TestKafka(broker);
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A member of group g-rb: batches go through an asynchronous step, so elements are in flight during rebalances. */
function member() {
  const src = Stream.fromKafkaBatched('rb', consumerConfig(broker, 'g-rb'), { startFrom: 'earliest', decode: 'string', maxBatchSize: 25 });
  const ids: number[] = [];
  src.sink(async (batch) => {
    await sleep(2);
    for (const v of batch) ids.push(Number(v));
  });
  return { src, ids, running: src.start() };
}

describe('consumer group rebalances', () => {
  it('a second member takes over partitions, then the first leaves: nothing is lost', async () => {
    // Messages keep coming until the rebalance has been seen, then 1000 more: the rebalance happens
    // while messages arrive, however long the group takes to settle on this machine.
    let produced = 0;
    let stopAt = Infinity;
    const producing = (async () => {
      while (produced < stopAt) {
        await k.produce('rb', range(produced, produced + 50).map((j) => ({ key: `k${j}`, value: String(j) })));
        produced += 50;
        await sleep(15);
      }
    })();
    const stopProducing = () => ((stopAt = Math.min(stopAt, produced + 1000)), producing);

    try {
      const a = member();
      await waitFor(() => a.ids.length > 200, 15_000, () => `a got ${a.ids.length}`);
      expect(a.src.position().partitions).toHaveLength(4);

      const b = member();
      await waitFor(() => b.ids.length > 0 && a.src.position().partitions.length < 4, 20_000, () => `b got ${b.ids.length}, a has ${JSON.stringify(a.src.position())}`);
      void stopProducing();
      // The two members split the partitions between them.
      const pa = a.src.position().partitions.map((p) => p.partition);
      const pb = b.src.position().partitions.map((p) => p.partition);
      expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3]);

      a.src.stop();
      await a.running;
      await producing;
      const total = produced;
      await waitFor(() => new Set([...a.ids, ...b.ids]).size >= total, 20_000, () => `seen ${new Set([...a.ids, ...b.ids]).size}`);
      expect(b.src.position().partitions).toHaveLength(4);
      expect(new Set([...a.ids, ...b.ids])).toEqual(new Set(range(0, total)));
      // Each member reads each message once: a partition it keeps continues from its own position.
      // Only messages of moved partitions that were in flight may be read by both.
      expect(new Set(a.ids).size).toBe(a.ids.length);
      expect(new Set(b.ids).size).toBe(b.ids.length);
      await waitCommittedToEnd(k, 'g-rb', 'rb');
      b.src.stop();
      await b.running;
    } finally {
      await stopProducing();
    }
  });
});
