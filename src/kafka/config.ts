import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type ProducerConfig } from 'kafkajs';
import { log, type LogLevel } from '../core/log.js';

/**
 * What users pass as the second argument of `fromKafka*` / `toKafka`: kafkajs' client options,
 * with the consumer's or producer's options beside them in the same object (`{ brokers, groupId,
 * sessionTimeout, ... }`). kafkajs reads only the fields it knows from each, so one object can be
 * handed to `new Kafka()` and to `kafka.consumer()` / `kafka.producer()` as it is.
 */
export type KafkaClientConfig = Omit<KafkaConfig, 'brokers'> & { brokers: string[] | string };
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

export function brokerList(brokers: string[] | string): string[] {
  return (typeof brokers === 'string' ? brokers.split(',') : brokers).map((b) => b.trim()).filter((b) => b !== '');
}

/**
 * A kafkajs client with defaults that fail in seconds rather than minutes: a pipeline should say
 * its brokers are unreachable quickly, and kafkajs' own reconnect loop takes over once running.
 */
export function createKafka(config: KafkaClientConfig, clientId: string): Kafka {
  return new Kafka({
    clientId,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator,
    ...config,
    brokers: brokerList(config.brokers),
  });
}

export { errorText } from '../core/errors.js';
