import type { Admin, Kafka } from 'kafkajs';
import { withTimeout } from '../core/timeout.js';
import { errorText } from './config.js';

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
 * committed after its sources stopped). Kafka takes commits only from a group member, so a
 * short-lived member joins, commits and leaves. It does not fetch: its partitions stay paused.
 */
export async function commitAsTemporaryMember(
  kafka: Kafka,
  config: { groupId: string; sessionTimeout?: number; rebalanceTimeout?: number; heartbeatInterval?: number },
  topic: string,
  offsets: { partition: number; offset: string }[],
  timeoutMs: number,
): Promise<void> {
  const consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeout,
    rebalanceTimeout: config.rebalanceTimeout,
    heartbeatInterval: config.heartbeatInterval,
    // With everything paused kafkajs sleeps this long per fetch round, and disconnect waits for it.
    maxWaitTimeInMs: 100,
  });
  try {
    await withTimeout(
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic });
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
        const running = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        consumer.pause([{ topic }]);
        await running;
        if (!joined) throw new Error(`Kafka: could not join group ${JSON.stringify(config.groupId)} to commit offsets of ${topic}`);
        await consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
      })(),
      timeoutMs,
      () => `Kafka: committing offsets of ${topic} for group ${config.groupId} took over ${timeoutMs} ms`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
