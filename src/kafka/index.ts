/**
 * Kafka for streamframe, on kafkajs.
 *
 *   Stream.fromKafkaBatched('events', { brokers, groupId }, { decode: 'json', startFrom: 'earliest' })
 *     // one array per partition per fetch (at most maxBatchSize long)
 *   Stream.fromKafka('events', { brokers, groupId }, { keys: true })   // one element per message
 *   stream.toKafka('out', { brokers }, { key: (x) => x.user })         // passes x on once acknowledged
 *   source.onError({ deadLetter: kafkaDeadLetters('dlq', { brokers }) })
 *
 * Elements are the value bytes (a Buffer, as streamz gives) unless `decode` says 'string', 'json'
 * or gives a function; `keys: true` makes them records `{ topic, partition, offset, key, value,
 * timestamp, headers }`. Offsets: alone, committed by reference count in order per partition
 * (at-least-once, streamz's semantics); under a job, the checkpoint holds them (source.ts).
 * Rebalance guarantees: assignment.ts.
 */
// Importing this module registers Stream.fromKafka, Stream.fromKafkaBatched and stream.toKafka.
import './from-kafka.js';
import './to-kafka.js';

export { KafkaBatchedSource, KafkaSource, type KafkaBatchedOptions } from './from-kafka.js';
export { KafkaSourceBase, type KafkaSourceOptions } from './source.js';
export { ToKafkaNode, type ToKafkaOptions } from './to-kafka.js';
export { KafkaDeadLetters, kafkaDeadLetters, DeadLetterHeader } from './dead-letters.js';
export { KafkaSender } from './sender.js';
export { type KafkaRecord, type Decode, type Decoded, type KafkaMetaEntry } from './record.js';
export { type KafkaPosition } from './offsets.js';
export { type KafkaClientConfig, type KafkaConsumerConfig, type KafkaProducerConfig } from './config.js';
export { type StartFrom } from './group.js';
export { type ProgressOptions } from './progress-publisher.js';
