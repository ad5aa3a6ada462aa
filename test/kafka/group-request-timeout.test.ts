import { Kafka, PartitionAssigners, logLevel, type Assigner, type Consumer, type PartitionAssigner } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stream } from '../../src/index.js';
import { groupRequestTimeout } from '../../src/kafka/config.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitFor } from './helpers.js';

// A broker holds a SyncGroup until every member of the generation has synced. A member that is
// slow to sync (here: a group leader whose assignment takes 7 s; in production, a member killed
// right after its JoinGroup) makes the others' SyncGroup wait up to a session. A kafkajs consumer
// whose requestTimeout (5 s) is shorter gives up, rejoins as a new member while the old one still
// counts, and its next SyncGroup waits as long again: it never gets a partition. streamframe
// raises a consumer's requestTimeout above its session and rebalance timeouts (config.ts).

let broker: KafkaTestBroker;
let k: TestKafka;
const TOPIC = 'slow-sync';

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { [TOPIC]: 2 } });
  k = new TestKafka(broker);
  await k.produce(TOPIC, range(0, 200).map((i) => ({ value: String(i), partition: i % 2 })));
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

/** kafkajs' round robin, which takes `delayMs` over every assignment of two members or more. */
function slowAssigner(delayMs: number): { assigner: PartitionAssigner; delays: () => number } {
  let delays = 0;
  const assigner: PartitionAssigner = (config) => {
    const inner: Assigner = PartitionAssigners.roundRobin(config);
    return {
      name: inner.name,
      version: inner.version,
      protocol: (subscription) => inner.protocol(subscription),
      async assign(group) {
        if (group.members.length >= 2) {
          delays++;
          await new Promise((r) => setTimeout(r, delayMs));
        }
        return inner.assign(group);
      },
    };
  };
  return { assigner, delays: () => delays };
}

describe('a consumer group whose leader is slow to sync', () => {
  it('the config of a consumer whose requestTimeout is below its session or rebalance timeout is raised above both', () => {
    expect(groupRequestTimeout({ sessionTimeout: 6_000, rebalanceTimeout: 6_000 })).toBe(11_000);
    expect(groupRequestTimeout({ sessionTimeout: 20_000, rebalanceTimeout: 6_000 })).toBe(25_000);
    expect(groupRequestTimeout({})).toBe(65_000); // kafkajs' rebalance timeout of 60 s
  });

  it('a member with requestTimeout 5 s, rebalanceTimeout 6 s and the default session (10 s) waits out a SyncGroup held 7 s, and reads its partition', { timeout: 120_000 }, async () => {
    const group = 'slow-sync-group';
    const slow = slowAssigner(7_000);
    // The leader: joins first, so the broker makes it the leader of every generation (it never
    // leaves: its 7 s assignments fit in the group's session of 10 s).
    const leaderKafka = new Kafka({ clientId: 'slow-leader', brokers: broker.brokers, logLevel: logLevel.NOTHING, requestTimeout: 40_000 });
    const leader: Consumer = leaderKafka.consumer({ groupId: group, sessionTimeout: 10_000, rebalanceTimeout: 6_000, heartbeatInterval: 1_000, partitionAssigners: [slow.assigner] });
    let leaderHas = 0;
    leader.on(leader.events.GROUP_JOIN, (e) => void (leaderHas = e.payload.memberAssignment[TOPIC]?.length ?? 0));
    try {
      await leader.connect();
      await leader.subscribe({ topic: TOPIC, fromBeginning: true });
      await leader.run({ autoCommit: false, eachMessage: async () => {} }); // commits nothing: the member reads its partition from the start
      await waitFor(() => leaderHas === 2, 60_000, () => 'the leader never got both partitions');

      // The user's config: requestTimeout 5 s (consumerConfig), rebalance 6 s, the default session of 10 s.
      const config = { ...consumerConfig(broker, group), client: 'kafkajs' as const, sessionTimeout: 10_000, heartbeatInterval: 1_000 };
      expect(config).toMatchObject({ requestTimeout: 5_000, rebalanceTimeout: 6_000 });
      const src = Stream.fromKafkaBatched(TOPIC, config, { startFrom: 'earliest', decode: 'string' });
      const seen = new Set<string>();
      src.sink((batch) => void batch.forEach((v) => seen.add(v)));
      const running = src.start();
      // Its SyncGroup is answered once the leader synced, 7 s after the JoinGroup answers: with a
      // request timeout of 5 s it gave up in every generation.
      await waitFor(() => seen.size > 0, 60_000, () => `the member never read a message (generations the leader delayed: ${slow.delays()})`);
      expect(slow.delays()).toBeGreaterThan(0);
      expect(src.position().partitions.length).toBeGreaterThan(0);
      src.stop();
      await running;
    } finally {
      await leader.disconnect();
    }
  });
});
