import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, Partitioners, logLevel, type Consumer, type Producer } from 'kafkajs';
import { groupRequestTimeout } from '../../src/kafka/config.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';

// The mock broker: 3 brokers, topic t with 4 partitions (replication factor 3).
let broker: KafkaTestBroker;
let kafka: Kafka;
const cleanups: Array<() => Promise<unknown>> = [];
const CONSUMER_TIMING = { sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 500 };

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 3, topics: { t: 4 } });
  kafka = new Kafka({
    clientId: 'broker-test',
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    // Its consumers' SyncGroup may be held for a session: the request timeout outlasts it, as createKafka makes a source's.
    requestTimeout: groupRequestTimeout(CONSUMER_TIMING),
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 10 },
  });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await broker?.stop();
});

/** An idempotent producer; kafkajs then retries (almost) forever, with short pauses. */
function producer(): Producer {
  const p = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: Number.MAX_SAFE_INTEGER },
  });
  cleanups.push(() => p.disconnect());
  return p;
}

function consumer(groupId: string): Consumer {
  const c = kafka.consumer({
    groupId,
    ...CONSUMER_TIMING,
    maxWaitTimeInMs: 100,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 10 },
  });
  cleanups.push(() => c.disconnect());
  return c;
}

interface Received {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

/** Runs `c` on `topic` until `until(received)` holds; resolves with what it received. */
async function consumeUntil(
  c: Consumer,
  topic: string,
  until: (got: Received[]) => boolean,
  timeoutMs = 20_000,
): Promise<Received[]> {
  const got: Received[] = [];
  let done!: () => void;
  const finished = new Promise<void>((res) => (done = res));
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    eachMessage: async ({ partition, message }) => {
      got.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
      });
      if (until(got)) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`consumed only ${got.length} messages from ${topic} in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return got;
}

async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

function countBy<T>(xs: T[], key: (x: T) => number): Map<number, number> {
  const m = new Map<number, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

describe('Kafka test broker (librdkafka mock cluster)', () => {
  it('starts 3 brokers on 127.0.0.1', () => {
    expect(broker.brokers).toHaveLength(3);
    for (const b of broker.brokers) expect(b).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(broker.bootstrap).toBe(broker.brokers.join(','));
  });

  it('idempotent produce, group consume and resume from committed offsets', async () => {
    const p = producer();
    await p.connect();
    for (let batch = 0; batch < 10; batch++) {
      await p.send({
        topic: 't',
        acks: -1,
        messages: range(batch * 100, batch * 100 + 100).map((i) => ({ key: `k${i}`, value: String(i) })),
      });
    }

    const high = await highWatermarks('t');
    expect([...high.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(sum(high.values())).toBe(1000);
    for (const h of high.values()) expect(h).toBeGreaterThan(0); // the keys spread over all partitions

    const c1 = consumer('g1');
    const got = await consumeUntil(c1, 't', (g) => g.length >= 1000);
    expect(got).toHaveLength(1000);
    expect(new Set(got.map((m) => m.value))).toEqual(new Set(range(0, 1000).map(String)));
    expect(countBy(got, (m) => m.partition)).toEqual(high);
    for (const m of got) expect(m.key).toBe(`k${m.value}`);
    await c1.disconnect(); // commits what it consumed, then LeaveGroup

    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'g1', topics: ['t'] });
    await admin.disconnect();
    expect(new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]))).toEqual(high);

    await p.send({ topic: 't', messages: range(1000, 1100).map((i) => ({ key: `k${i}`, value: String(i) })) });
    const c2 = consumer('g1');
    // Each partition is read in order, so a restart from offset 0 would deliver old messages first.
    const more = await consumeUntil(c2, 't', (g) => g.filter((m) => Number(m.value) >= 1000).length >= 100);
    expect(more.map((m) => Number(m.value)).sort((a, b) => a - b)).toEqual(range(1000, 1100));
    await c2.disconnect();
  });

  it('answers control commands; injected request errors are retried by kafkajs', async () => {
    await expect(broker.createTopic('t', 4)).rejects.toThrow(/TOPIC_ALREADY_EXISTS/);
    await expect(broker.down(1.5)).rejects.toThrow(TypeError);
    await broker.createTopic('e', 1);
    await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 2);
    const p = producer();
    await p.connect();
    const [meta] = await p.send({ topic: 'e', acks: -1, messages: [{ value: 'x' }] });
    expect(meta!.errorCode).toBe(0);
    expect(await highWatermarks('e')).toEqual(new Map([[0, 1]]));
  });

  it('consumes with kafkajs what kcat produced', async () => {
    await broker.createTopic('kc', 3);
    const lines = range(0, 300).map((i) => `key${i}:line ${i}`);
    await new Promise<void>((res, rej) => {
      const kcat = spawn('kcat', ['-P', '-b', broker.bootstrap, '-t', 'kc', '-K', ':'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      kcat.stderr.on('data', (d) => (stderr += d));
      kcat.on('error', rej);
      kcat.on('exit', (code) => (code === 0 ? res() : rej(new Error(`kcat exited ${code}: ${stderr}`))));
      kcat.stdin.end(lines.join('\n') + '\n');
    });

    const got = await consumeUntil(consumer('g-kcat'), 'kc', (g) => g.length >= 300);
    expect(got.map((m) => `${m.key}:${m.value}`).sort()).toEqual([...lines].sort());
    // librdkafka's partitioner (consistent_random) spreads the keys over the partitions.
    expect(countBy(got, (m) => m.partition)).toEqual(await highWatermarks('kc'));
  });

  it('a producer with retries delivers everything across a leader outage', async () => {
    await broker.createTopic('f', 3);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['f'] });
    await admin.disconnect();
    const leader = meta.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
    expect(broker.brokers.length).toBeGreaterThanOrEqual(leader);

    const p = producer();
    await p.connect();
    const total = 300;
    let sent = 0;
    // The producer stops at message 100 until the leader is down: without that hand-off, a slow
    // down() on a loaded machine would let it send past 100 before the outage begins.
    let reachedOutage!: () => void;
    const outageStarts = new Promise<void>((res) => (reachedOutage = res));
    let leaderDown!: () => void;
    const outageBegun = new Promise<void>((res) => (leaderDown = res));
    const sending = (async () => {
      for (let i = 0; i < total; i += 10) {
        if (i === 100) {
          reachedOutage();
          await outageBegun;
        }
        // Every batch has messages for every partition, including partition 0 on the downed leader.
        await p.send({
          topic: 'f',
          acks: -1,
          messages: range(i, i + 10).map((j) => ({ partition: j % 3, value: String(j) })),
        });
        sent = i + 10;
      }
    })();
    sending.catch(() => {}); // awaited below; don't let an early failure go unhandled meanwhile

    await Promise.race([outageStarts, sending]);
    await broker.down(leader); // leadership does not move: partition 0 is unreachable until up()
    leaderDown();
    await new Promise((r) => setTimeout(r, 2_000));
    const sentDuringOutage = sent;
    await broker.up(leader);
    await sending;
    expect(sentDuringOutage).toBe(100); // the outage did stall the producer...
    expect(sent).toBe(total); // ...which then delivered everything

    // Every message arrived.  Not necessarily exactly once: the mock checks producer sequence
    // numbers only for transactional producers, so a produce retried after its response was lost
    // in the outage may be appended twice even though the producer is idempotent.
    const got = await consumeUntil(consumer('g-fault'), 'f', (g) => new Set(g.map((m) => m.value)).size >= total);
    expect(new Set(got.map((m) => Number(m.value)))).toEqual(new Set(range(0, total)));
    expect(sum((await highWatermarks('f')).values())).toBeGreaterThanOrEqual(total);
  });
});
