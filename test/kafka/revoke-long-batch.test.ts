import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Stream } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitFor } from './helpers.js';

// A member in the middle of a long batch does not hold a rebalance until the batch is done: it hands
// the batch back after the emission under way (kafkajs learns of the rebalance from a heartbeat,
// the confluent client from librdkafka's group state), and reads the rest again later.
const PER_PARTITION = 2_000;
/** Per element: a whole fetched batch takes PER_PARTITION * SLOW_MS = 40 s to go through. */
const SLOW_MS = 20;

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { 'long-batch': 2 } });
  k = new TestKafka(broker);
  // All of it before the first member starts: its first fetch brings a whole partition in one batch.
  for (const partition of [0, 1]) await k.produce('long-batch', range(0, PER_PARTITION).map((i) => ({ value: String(i), partition })));
}, 120_000);

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a rebalance during a long batch', () => {
  it('does not wait for the batch to be done', async () => {
    let done = false;
    const member = (name: string) => {
      const src = Stream.fromKafka('long-batch', consumerConfig(broker, 'long-batch-group'), { startFrom: 'earliest', decode: 'string', keys: true });
      const seen: string[] = [];
      src.sink(async (r) => {
        seen.push(`${r.partition}/${r.value}`);
        if (!done) await sleep(SLOW_MS);
      });
      return { name, src, seen, running: src.start(), partitions: () => src.position().partitions.map((p) => p.partition) };
    };
    const a = member('a');
    let b: ReturnType<typeof member> | undefined;
    try {
      await waitFor(() => a.seen.length >= 5, 60_000, () => `a got ${a.seen.length}`);
      const before = a.seen.length;
      b = member('b');
      await waitFor(() => b!.partitions().length > 0, 60_000, () => `b has no partitions yet; a went through ${a.seen.length - before} elements meanwhile`);
      // A member that does not hand its batch back keeps the rebalance waiting until the group
      // drops it (the mock broker waits a session timeout, 6 s here; a real one the rebalance
      // timeout), and the newcomer gets every partition. One that hands back rejoins in time.
      expect(b.partitions(), `a went through ${a.seen.length - before} elements meanwhile`).toHaveLength(1);
      await waitFor(() => a.partitions().length === 1, 30_000, () => `a has ${a.partitions()}`);
      expect([...a.partitions(), ...b.partitions()].sort()).toEqual([0, 1]);
      // Nothing is lost: what `a` handed back is read again, by whoever owns the partition now.
      done = true;
      const all = () => new Set([...a.seen, ...b!.seen]);
      await waitFor(() => all().size >= 2 * PER_PARTITION, 60_000, () => `seen ${all().size}`);
      expect([...all()].sort()).toEqual([0, 1].flatMap((p) => range(0, PER_PARTITION).map((i) => `${p}/${i}`)).sort());
    } finally {
      done = true;
      a.src.stop();
      b?.src.stop();
      await Promise.all([a.running, b?.running]);
    }
  }, 180_000);
});
