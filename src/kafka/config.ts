import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type ProducerConfig } from 'kafkajs';
import { log, type LogLevel } from '../core/log.js';
import { confluentKafka, type ConfluentOptions } from './clients/confluent.js';

/**
 * What users pass as the second argument of `fromKafka*` / `toKafka`: kafkajs' client options,
 * with the consumer's or producer's options beside them in the same object (`{ brokers, groupId,
 * sessionTimeout, ... }`). kafkajs reads only the fields it knows from each, so one object can be
 * handed to `new Kafka()` and to `kafka.consumer()` / `kafka.producer()` as it is.
 * `client: 'confluent'` runs the same on @confluentinc/kafka-javascript (librdkafka; see clients/confluent.ts).
 */
export type KafkaClientConfig = Omit<KafkaConfig, 'brokers'> & ConfluentOptions & {
  brokers: string[] | string;
  /** Which Kafka client library (default 'kafkajs'). */
  client?: KafkaClientName;
};
export type KafkaClientName = 'kafkajs' | 'confluent';
export type KafkaConsumerConfig = KafkaClientConfig & Partial<ConsumerConfig> & { groupId: string };
export type KafkaProducerConfig = KafkaClientConfig & ProducerConfig;

const levels: Record<number, LogLevel | undefined> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs' own log lines go through our structured logger instead of its console logger. */
const logCreator = () => ({ namespace, level, log: entry }: LogEntry) => {
  const ours = levels[level];
  if (ours === undefined) return;
  const { message, timestamp: _t, logger: _l, ...fields } = entry;
  log(ours, `kafkajs ${namespace}: ${message}`, fields);
};

/**
 * Consumer-group timing when the config does not set it. kafkajs' session of 30 s is how long a
 * restarted job waits for its SIGKILLed predecessor's membership to expire before the group
 * rebalances and hands it partitions; 10 s (the Java client's default before Kafka 3.0) keeps
 * restarts quick. Heartbeats must come well within the session.
 */
export const GROUP_TIMING = { sessionTimeout: 10_000, heartbeatInterval: 1_000 } as const;

/** The group timing a consumer built from `config` uses. */
export function groupTiming(config: Partial<ConsumerConfig>): { sessionTimeout: number; heartbeatInterval: number; rebalanceTimeout?: number } {
  return {
    sessionTimeout: config.sessionTimeout ?? GROUP_TIMING.sessionTimeout,
    heartbeatInterval: config.heartbeatInterval ?? GROUP_TIMING.heartbeatInterval,
    rebalanceTimeout: config.rebalanceTimeout,
  };
}

export function brokerList(brokers: string[] | string): string[] {
  return (typeof brokers === 'string' ? brokers.split(',') : brokers).map((b) => b.trim()).filter((b) => b !== '');
}

/**
 * A client with defaults that fail in seconds rather than minutes: a pipeline should say its
 * brokers are unreachable quickly, and the client's own reconnect loop takes over once running.
 * The only place a `Kafka` is made: `config.client` picks the library.
 */
export function createKafka(config: KafkaClientConfig, clientId: string): Kafka {
  const { client = 'kafkajs', rdkafka: _r, ...rest } = config;
  const options = { clientId, connectionTimeout: 3_000, requestTimeout: 30_000, logLevel: logLevel.WARN, ...rest, brokers: brokerList(config.brokers) };
  if (client === 'confluent') return confluentKafka({ ...options, rdkafka: config.rdkafka }, options.clientId);
  if (client !== 'kafkajs') throw new TypeError(`Kafka: config.client must be 'kafkajs' or 'confluent', not ${JSON.stringify(client)}`);
  if ('groupId' in config) options.requestTimeout = Math.max(options.requestTimeout, groupRequestTimeout(config as Partial<ConsumerConfig>));
  return new Kafka({ logCreator, ...options });
}

/** How much longer than the broker may hold a group request a consumer waits for the answer (kafkajs' own margin for JoinGroup). */
const GROUP_REQUEST_MARGIN = 5_000;
/** kafkajs' rebalance timeout when the config sets none. */
const KAFKAJS_REBALANCE_TIMEOUT = 60_000;

/**
 * The least request timeout a kafkajs consumer of `config` may have. kafkajs gives JoinGroup the
 * rebalance timeout plus a margin, but SyncGroup the plain `requestTimeout`, and a broker holds a
 * SyncGroup until every member of the generation synced: up to a session (a member that died
 * after its JoinGroup) or a rebalance timeout (Kafka 3's pending-sync limit). A SyncGroup that
 * times out first makes the member rejoin as a new one while the old one still counts, which
 * holds the next SyncGroup as long again: a livelock. So a consumer's request timeout is raised
 * above both. (librdkafka sets these deadlines itself: JoinGroup `max.poll.interval.ms`, which
 * CKJS sets from rebalanceTimeout, + 3 s; SyncGroup `session.timeout.ms` + 3 s; its
 * `socket.timeout.ms`, CKJS' requestTimeout, does not bound them.)
 */
export function groupRequestTimeout(config: Partial<ConsumerConfig>): number {
  const { sessionTimeout, rebalanceTimeout } = groupTiming(config);
  return Math.max(sessionTimeout, rebalanceTimeout ?? KAFKAJS_REBALANCE_TIMEOUT) + GROUP_REQUEST_MARGIN;
}

export { errorText } from '../core/errors.js';
