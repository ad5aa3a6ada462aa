import { createRequire } from 'node:module';
import type { Admin, Consumer, ConsumerConfig, Kafka, LogEntry, Producer, ProducerBatch, ProducerConfig, ProducerRecord } from 'kafkajs';
import { log, type LogLevel } from '../../core/log.js';
import { ConfluentConsumer, type CkConsumer } from './confluent-consumer.js';
import { GROUP_DEBUG } from './group-log.js';

/**
 * `client: 'confluent'`: @confluentinc/kafka-javascript (librdkafka) behind the subset of kafkajs'
 * `Kafka` that streamframe uses (consumer, producer, admin). Our config is kafkajs' shape; CKJS
 * takes the kafkajs-like options inside a `kafkaJS` block and librdkafka properties beside it
 * (`rdkafka` in our config). The package is an optional dependency, loaded on first use.
 */

/** The part of CKJS' KafkaJS module we call (its own types need the optional package at compile time). */
interface CkModule {
  Kafka: new (config: Record<string, unknown>) => CkKafka;
  KafkaJSError: new (e: { message: string }, properties: { code: number }) => Error;
}
interface CkKafka {
  consumer(config: Record<string, unknown>): CkConsumer;
  producer(config: Record<string, unknown>): CkProducer;
  admin(config?: Record<string, unknown>): CkAdmin;
}
/** CKJS' admin as kafkajs', but for `fetchTopicMetadata`, which resolves to the topics' list itself. */
type CkAdmin = Omit<Admin, 'fetchTopicMetadata'> & {
  fetchTopicMetadata(o: { topics: string[] }): Promise<Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics']>;
};
interface CkProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: Omit<ProducerRecord, 'acks' | 'timeout' | 'compression'>): ReturnType<Producer['send']>;
  sendBatch(batch: Omit<ProducerBatch, 'acks' | 'timeout' | 'compression'>): ReturnType<Producer['sendBatch']>;
}

let loaded: CkModule | undefined;

function ckjs(): CkModule {
  if (loaded !== undefined) return loaded;
  try {
    loaded = (createRequire(import.meta.url)('@confluentinc/kafka-javascript') as { KafkaJS: CkModule }).KafkaJS;
  } catch (e) {
    throw new Error(
      "Kafka: client 'confluent' needs the optional package @confluentinc/kafka-javascript, which is not installed or did not build " +
        `(${(e as Error).message.split('\n')[0]}). Install it with \`CKJS_LINKING=dynamic npm install @confluentinc/kafka-javascript\` ` +
        "(needs zlib, OpenSSL, zstd, curl, SASL and lz4 -dev packages; see the README), or use client: 'kafkajs'.",
      { cause: e },
    );
  }
  return loaded;
}

/** Our options for the confluent client, next to kafkajs' own. */
export interface ConfluentOptions {
  /** librdkafka properties (CONFIGURATION.md), for what the kafkajs-shaped options cannot say (TLS files, say). */
  rdkafka?: Record<string, string | number | boolean>;
}

type Config = Record<string, unknown> & ConfluentOptions;

const COMMON = ['brokers', 'clientId', 'sasl', 'requestTimeout', 'enforceRequestTimeout', 'connectionTimeout', 'authenticationTimeout', 'logLevel'];
const CONSUMER = ['groupId', 'sessionTimeout', 'rebalanceTimeout', 'heartbeatInterval', 'metadataMaxAge', 'allowAutoTopicCreation', 'maxBytesPerPartition', 'maxWaitTimeInMs', 'minBytes', 'maxBytes', 'readUncommitted', 'maxInFlightRequests', 'rackId'];
const PRODUCER = ['metadataMaxAge', 'allowAutoTopicCreation', 'transactionTimeout', 'idempotent', 'maxInFlightRequests', 'transactionalId'];

function pick(config: Config, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (config[k] !== undefined) out[k] = config[k];
  return out;
}

/** CKJS' retry: kafkajs' pauses; `retries` counts for produce requests only and is an int32 in librdkafka. */
function retryOf(config: Config): Record<string, unknown> | undefined {
  const r = config.retry as { retries?: number; initialRetryTime?: number; maxRetryTime?: number } | undefined;
  if (r === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (r.initialRetryTime !== undefined) out.initialRetryTime = r.initialRetryTime;
  if (r.maxRetryTime !== undefined) out.maxRetryTime = r.maxRetryTime;
  if (r.retries !== undefined) out.retries = Math.min(r.retries, 2 ** 31 - 1);
  return out;
}

function commonBlock(config: Config): Record<string, unknown> {
  if (typeof config.brokers === 'function') throw new Error("Kafka: client 'confluent' needs a broker list, not a function");
  if (config.ssl !== undefined && typeof config.ssl !== 'boolean') {
    throw new Error("Kafka: client 'confluent' takes ssl: true; give certificates as librdkafka properties, e.g. rdkafka: { 'ssl.ca.location': '/path/ca.pem' }");
  }
  const block = pick(config, COMMON);
  if (config.ssl === true) block.ssl = true;
  const retry = retryOf(config);
  if (retry !== undefined) block.retry = retry;
  block.logger = new LogBridge();
  return block;
}

/** kafkajs' assigner functions cannot cross over; CKJS names its assignors ('roundrobin', 'range', 'cooperative-sticky'). */
function assignorsOf(config: Config): Record<string, unknown> {
  const list = (config.partitionAssignors ?? config.partitionAssigners) as unknown[] | undefined;
  if (list === undefined) return {};
  if (!list.every((a) => typeof a === 'string')) {
    throw new Error(
      "Kafka: client 'confluent' takes partitionAssignors by name ('roundrobin', 'range', 'cooperative-sticky'), not kafkajs assigner functions " +
        "(a partitioned job over several co-partitioned topics assigns with one of its own, which librdkafka cannot run: use client 'kafkajs' for it)",
    );
  }
  return { partitionAssignors: list };
}

/**
 * A `Kafka` whose clients run on librdkafka. Only the methods streamframe calls are provided. The
 * clients' own options (a consumer's or producer's config, which also holds the client-wide ones)
 * contribute only their client-specific keys: the client-wide ones were set here.
 */
export function confluentKafka(config: Config, clientId: string): Kafka {
  const rdkafka = config.rdkafka ?? {};
  const kafka = new (ckjs().Kafka)({ ...rdkafka, kafkaJS: { ...commonBlock(config), clientId } });
  const facade = {
    consumer: (c: ConsumerConfig & Config): Consumer => {
      const block = { ...pick(c, CONSUMER), ...assignorsOf(c) };
      // The consumer reads its group's state from librdkafka's `cgrp` debug lines (see GroupLog);
      // they reach our log only if the user's own rdkafka.debug asks for debug lines.
      const userDebug = rdkafka.debug;
      const level = userDebug === undefined ? ((c.logLevel ?? config.logLevel ?? 4) as number) : undefined;
      return new ConfluentConsumer((fromBeginning, hooks) =>
        kafka.consumer({
          // streamframe commits offsets itself, and runs each batch to its end (CKJS' default is 32 messages).
          'js.consumer.max.batch.size': 10_000,
          rebalance_cb: hooks.onRebalance,
          debug: userDebug === undefined ? GROUP_DEBUG : `${userDebug},${GROUP_DEBUG}`,
          kafkaJS: { ...block, fromBeginning, autoCommit: false, logger: new LogBridge(level, hooks.onLog) },
        }),
        (failure) => new (ckjs().KafkaJSError)(failure, { code: failure.code }),
      ) as unknown as Consumer;
    },
    producer: (c: ProducerConfig & Config = {}): Producer => confluentProducer(kafka, c),
    admin: (): Admin => confluentAdmin(kafka.admin()),
  };
  return facade as unknown as Kafka;
}

function confluentAdmin(inner: CkAdmin): Admin {
  const facade: Partial<Admin> = {
    connect: () => inner.connect(),
    disconnect: () => inner.disconnect(),
    listTopics: () => inner.listTopics(),
    createTopics: (o) => inner.createTopics(o),
    // Named partitions: asked for whole topics, librdkafka fetches the group's offsets for all
    // topics, which the mock broker answers with none. No offset is -1, as in kafkajs (not -1001).
    fetchOffsets: async ({ groupId, topics }) => {
      const meta = await inner.fetchTopicMetadata({ topics: topics ?? [] });
      const got = await inner.fetchOffsets({ groupId, topics: meta.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partitionId) })) } as never);
      return got.map((t) => ({ ...t, partitions: t.partitions.map((p) => (p.offset.startsWith('-') ? { ...p, offset: '-1' } : p)) }));
    },
    fetchTopicOffsets: (topic) => inner.fetchTopicOffsets(topic),
    fetchTopicMetadata: async (o) => ({ topics: await inner.fetchTopicMetadata({ topics: o?.topics ?? (await inner.listTopics()) }) }),
  };
  return facade as Admin;
}

/**
 * acks are a producer setting in CKJS (default -1), not a send option: a send asking for other
 * acks (the progress publisher's 1) goes through a second librdkafka producer made for them on
 * first use. Records are acknowledged as they are batched by librdkafka; `linger.ms` 0 because
 * the sender awaits each batch it hands over.
 */
function confluentProducer(kafka: CkKafka, config: Config): Producer {
  const retry = retryOf(config);
  const make = (acks: number) => kafka.producer({ 'linger.ms': 0, kafkaJS: { ...pick(config, PRODUCER), ...(retry && { retry }), acks } });
  const byAcks = new Map<number, Promise<CkProducer>>();
  let open = false;
  const connected = (acks = -1): Promise<CkProducer> => {
    if (acks !== -1 && acks !== 0 && acks !== 1) return Promise.reject(new Error(`Kafka: acks must be -1, 0 or 1, not ${acks}`));
    if (!open) return Promise.reject(new Error("Kafka: client 'confluent': the producer is not connected"));
    let producer = byAcks.get(acks);
    if (producer === undefined) {
      const inner = make(acks);
      byAcks.set(acks, (producer = inner.connect().then(() => inner)));
      producer.catch(() => byAcks.get(acks) === producer && byAcks.delete(acks)); // tried anew by the next send
    }
    return producer;
  };
  const facade = {
    connect: async () => {
      open = true;
      await connected().catch((e: unknown) => {
        open = false;
        throw e;
      });
    },
    disconnect: async () => {
      open = false;
      const all = [...byAcks.values()];
      byAcks.clear();
      await Promise.all(all.map((p) => p.then((inner) => inner.disconnect(), () => undefined)));
    },
    send: async ({ acks, timeout: _t, compression: _c, ...record }: ProducerRecord) => (await connected(acks)).send(record),
    sendBatch: async ({ acks, timeout: _t, compression: _c, ...batch }: ProducerBatch) => (await connected(acks)).sendBatch(batch),
  };
  return facade as unknown as Producer;
}

const LEVELS: Record<number, LogLevel | undefined> = { 1: 'error', 2: 'warn', 4: 'info', 5: 'debug' };

/**
 * CKJS' logger interface, writing through our structured logger (as config.ts does for kafkajs).
 * CKJS sets the level from the config, unless the bridge has a `fixed` one. A consumer's bridge
 * also shows the consumer every error and debug line (`watch`), whatever the level.
 */
class LogBridge {
  private level: number;
  constructor(
    private readonly fixed?: number,
    private readonly watch?: (error: boolean, message: string) => void,
  ) {
    this.level = fixed ?? 2;
  }
  setLogLevel(level: number): void {
    if (this.fixed === undefined) this.level = level;
  }
  namespace(): this {
    return this;
  }
  error(message: string, extra?: LogEntry['log']): void {
    this.watch?.(true, message);
    this.write(1, message, extra);
  }
  warn(message: string, extra?: LogEntry['log']): void {
    this.write(2, message, extra);
  }
  info(message: string, extra?: LogEntry['log']): void {
    this.write(4, message, extra);
  }
  debug(message: string, extra?: LogEntry['log']): void {
    this.watch?.(false, message);
    this.write(5, message, extra);
  }
  private write(level: number, message: string, extra: Record<string, unknown> = {}): void {
    const ours = LEVELS[level];
    if (ours === undefined || level > this.level) return;
    const { timestamp: _t, ...fields } = extra;
    log(ours, `librdkafka: ${message}`, fields);
  }
}
