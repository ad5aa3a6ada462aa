import { spawn } from 'node:child_process';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { groupRequestTimeout, type KafkaClientName } from '../../src/kafka/config.js';
import type { KafkaTestBroker } from '../fixtures/kafka/broker.js';

/**
 * The client library streamframe's sources and sinks use in tests: SF_KAFKA_CLIENT=confluent runs
 * them on @confluentinc/kafka-javascript (test/kafka/confluent/ does so for the core suites).
 * The tests' own producers and readers stay on kafkajs.
 */
export const testClient: KafkaClientName = process.env.SF_KAFKA_CLIENT === 'confluent' ? 'confluent' : 'kafkajs';

/** Client options for tests: quiet, short timeouts and fast retries. */
export function clientConfig(broker: KafkaTestBroker) {
  return {
    client: testClient,
    brokers: broker.brokers,
    // STREAMFRAME_KAFKA_TEST_LOG=1 shows kafkajs' own log (through streamframe's logger for sources and sinks).
    logLevel: process.env.STREAMFRAME_KAFKA_TEST_LOG ? logLevel.INFO : logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 10 },
  };
}

/** Consumer options for a source in a test: quick heartbeats and rebalances (createKafka raises its requestTimeout to 11 s). */
export function consumerConfig(broker: KafkaTestBroker, groupId: string) {
  return { ...clientConfig(broker), groupId, sessionTimeout: 6_000, rebalanceTimeout: 6_000, heartbeatInterval: 300 };
}

/** The group timing of TestKafka's plain kafkajs reader. */
const READER_TIMING = { sessionTimeout: 6_000, rebalanceTimeout: 6_000, heartbeatInterval: 300 };

export class TestKafka {
  readonly kafka: Kafka;
  private producer: Producer | undefined;
  private admin: Admin | undefined;

  constructor(broker: KafkaTestBroker) {
    // Its reader is a plain kafkajs consumer: its request timeout must outlast a SyncGroup, as createKafka makes a source's.
    this.kafka = new Kafka({ clientId: 'test', ...clientConfig(broker), requestTimeout: groupRequestTimeout(READER_TIMING) });
  }

  async produce(topic: string, messages: { key?: string | null; value: string | Buffer | null; partition?: number }[]): Promise<void> {
    if (this.producer === undefined) {
      this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
      await this.producer.connect();
    }
    for (let i = 0; i < messages.length; i += 1000) {
      await this.producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
    }
  }

  async adminClient(): Promise<Admin> {
    if (this.admin === undefined) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }

  async highWatermarks(topic: string): Promise<Map<number, string>> {
    const offsets = await (await this.adminClient()).fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  }

  async committed(groupId: string, topic: string): Promise<Map<number, string>> {
    const [t] = await (await this.adminClient()).fetchOffsets({ groupId, topics: [topic] });
    return new Map(t.partitions.map((p) => [p.partition, p.offset]));
  }

  /** Read the whole topic with a plain kafkajs consumer (a fresh group unless given; it commits what it read). */
  async readAll(topic: string, count: number, timeoutMs = 60_000, groupId = `reader-${Math.random()}`) {
    const c = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, ...READER_TIMING });
    const got: { key: string | null; value: Buffer | null; headers: Record<string, string>; partition: number; offset: string }[] = [];
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    try {
      await waitFor(async () => got.length >= count, timeoutMs, () => `read ${got.length}/${count} from ${topic}`, async () => {
        await c.run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            got.push({ key: message.key?.toString() ?? null, value: message.value, headers, partition, offset: message.offset });
          },
        });
      });
    } finally {
      await c.disconnect();
    }
    return got;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** Poll `cond` every 50 ms until true; reject with `what()` after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
  first?: () => Promise<void>,
): Promise<void> {
  await first?.();
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Run `check` again and again (every 50 ms) while the test goes on: an invariant checked during the
 * run, not only at its end. `stop()` resolves with the number of checks, or rejects with the first failure.
 */
export function watch(check: () => Promise<void>): { stop(): Promise<number> } {
  let stopped = false;
  let checks = 0;
  const running = (async () => {
    while (!stopped) {
      await check();
      checks++;
      await new Promise((r) => setTimeout(r, 50));
    }
    return checks;
  })();
  running.catch(() => undefined); // reported by stop()
  return {
    stop: () => {
      stopped = true;
      return running;
    },
  };
}

/** The sum over partitions of an offset map (committed offsets or high watermarks; -1 counts as 0). */
export const offsetSum = (offsets: Map<number, string>): number => [...offsets.values()].reduce((a, o) => a + Math.max(0, Number(o)), 0);

/** Committed offsets equal the high watermarks for every partition (bounded generously: a failure bound, not a wait). */
export async function waitCommittedToEnd(k: TestKafka, groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const high = await k.highWatermarks(topic);
  let last = new Map<number, string>();
  await waitFor(
    async () => {
      last = await k.committed(groupId, topic);
      return [...high].every(([p, h]) => last.get(p) === h);
    },
    timeoutMs,
    () => `committed ${JSON.stringify([...last])} vs high ${JSON.stringify([...high])}`,
  );
}

/** Produce lines `key:value` with kcat (librdkafka), a client other than kafkajs. */
export function kcatProduce(bootstrap: string, topic: string, lines: string[]): Promise<void> {
  return new Promise<void>((res, rej) => {
    const kcat = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K', ':'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    kcat.stderr.on('data', (d) => (stderr += d));
    kcat.on('error', rej);
    kcat.on('exit', (code) => (code === 0 ? res() : rej(new Error(`kcat exited ${code}: ${stderr}`))));
    kcat.stdin.end(lines.join('\n') + '\n');
  });
}

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
