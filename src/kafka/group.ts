import type { Admin, Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { withTimeout } from '../core/timeout.js';
import { createKafka, errorText, groupTiming, type KafkaConsumerConfig } from './config.js';

export type StartFrom = 'earliest' | 'latest';

/**
 * Fail fast on bad configuration, before joining a group (which would otherwise retry for
 * minutes): the brokers must answer and the topic must exist. Topics are listed rather than
 * looked up, because a Metadata request for one topic auto-creates it on many clusters.
 */
export async function preflight(admin: Admin, topic: string, brokers: string[], timeoutMs: number): Promise<number[]> {
  const where = `brokers ${brokers.join(',')}`;
  try {
    await withTimeout(admin.connect(), timeoutMs, () => `no answer within ${timeoutMs} ms`);
  } catch (e) {
    throw new Error(`Kafka: cannot connect to ${where}: ${errorText(e)}`);
  }
  const topics = await withTimeout(admin.listTopics(), timeoutMs, () => `listing topics on ${where}: no answer within ${timeoutMs} ms`);
  if (!topics.includes(topic)) {
    const known = topics.filter((t) => !t.startsWith('__')).slice(0, 20);
    throw new Error(`Kafka: topic ${JSON.stringify(topic)} does not exist on ${where} (topics there: ${known.join(', ') || 'none'})`);
  }
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b);
}

/**
 * Connect a consumer and its admin client and subscribe, after checking the configuration with a
 * client of its own that retries little: refused connections and unknown topics at start are
 * configuration errors to report within `timeoutMs` (the running consumer keeps kafkajs' patient
 * retries). Joining the group comes after, with no bound.
 */
export async function connectToGroup(c: {
  config: KafkaConsumerConfig;
  consumer: Consumer;
  admin: Admin;
  topic: string;
  /** What the consumer subscribes: its topic, or every topic of a co-partitioned group (see PartitionTasks.group). */
  topics: readonly string[];
  brokers: string[];
  startFrom: StartFrom;
  timeoutMs: number;
}): Promise<void> {
  await withTimeout(
    (async () => {
      const checker = createKafka({ ...c.config, retry: { retries: 3, initialRetryTime: 250, maxRetryTime: 1_000 } }, 'streamframe-preflight').admin();
      try {
        await preflight(checker, c.topic, c.brokers, c.timeoutMs);
      } finally {
        await checker.disconnect().catch(() => undefined);
      }
      await c.admin.connect();
      await c.consumer.connect();
      await c.consumer.subscribe({ topics: [...c.topics], fromBeginning: c.startFrom === 'earliest' });
    })(),
    c.timeoutMs,
    () => `Kafka: fromKafka(${JSON.stringify(c.topic)}) could not connect to ${c.brokers.join(',')} within ${c.timeoutMs} ms`,
  );
}

/**
 * Where each of `partitions` starts for this group: its committed offset, or for a partition
 * the group never committed, the log's start or end (`startFrom`). The source seeks kafkajs to
 * exactly these offsets, so its position is known before the first message arrives.
 */
export async function startOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  partitions: readonly number[],
  startFrom: StartFrom,
): Promise<Map<number, string>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const out = new Map<number, string>();
  let ends: Map<number, { low: string; high: string }> | undefined;
  for (const partition of partitions) {
    const c = committed?.partitions.find((p) => p.partition === partition)?.offset;
    if (c !== undefined && c !== '-1' && c !== '') {
      out.set(partition, c);
      continue;
    }
    ends ??= new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { low: o.low, high: o.high }]));
    const e = ends.get(partition);
    if (e === undefined) throw new Error(`Kafka: no offsets for ${topic}/${partition}`);
    out.set(partition, startFrom === 'earliest' ? e.low : e.high);
  }
  return out;
}

/**
 * Commit offsets to a group while our consumer is not running (a job's final checkpoint is
 * committed after its sources stopped). Nothing to do when the group holds them already (a
 * caught-up job's final checkpoint). Else, as Kafka takes commits only from a group member, a
 * short-lived member joins, commits and leaves. It does not fetch: its partitions stay paused.
 */
export async function commitAsTemporaryMember(
  kafka: Kafka,
  config: { groupId: string } & Partial<ConsumerConfig>,
  topic: string,
  offsets: { partition: number; offset: string }[],
  timeoutMs: number,
): Promise<void> {
  const { groupId } = config;
  const consumer = kafka.consumer({
    groupId,
    ...groupTiming(config),
    // With everything paused kafkajs sleeps this long per fetch round, and disconnect waits for it.
    maxWaitTimeInMs: 100,
  });
  try {
    await withTimeout(
      (async () => {
        if (await groupHolds(kafka, groupId, topic, offsets)) return;
        await consumer.connect();
        await consumer.subscribe({ topic });
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
        const running = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        consumer.pause([{ topic }]);
        await running;
        if (!joined) throw new Error(`Kafka: could not join group ${JSON.stringify(groupId)} to commit offsets of ${topic}`);
        await consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
      })(),
      timeoutMs,
      () => `Kafka: committing offsets of ${topic} for group ${groupId} took over ${timeoutMs} ms`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** The group's committed offsets of `topic` are `offsets` already (read without joining the group). */
async function groupHolds(kafka: Kafka, groupId: string, topic: string, offsets: { partition: number; offset: string }[]): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const held = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
    return offsets.every((o) => held.get(o.partition) === o.offset);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
