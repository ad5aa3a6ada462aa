import type { IHeaders, KafkaMessage } from 'kafkajs';

/** One Kafka message as the sources emit it with `keys: true`. */
export interface KafkaRecord<V = Buffer | null, K = Buffer | string | null> {
  topic: string;
  partition: number;
  /** The message's offset, a decimal string (offsets are 64-bit). */
  offset: string;
  key: K;
  value: V;
  /** Milliseconds since the epoch (create or log-append time, as the topic says). */
  timestamp: number;
  headers: IHeaders;
}

/**
 * How a source turns value bytes into elements. The default, `'buffer'`, hands over the bytes as
 * streamz does (a `Buffer`, `null` for a tombstone); `'string'` decodes UTF-8; `'json'` parses
 * UTF-8 JSON; a function gets the bytes and the whole record. A decoder that throws sends the
 * message through the source's error policy (`.onError({ deadLetter })`), it does not stop the source.
 */
export type Decode<V = unknown> = 'buffer' | 'string' | 'json' | ((value: Buffer | null, record: KafkaRecord<Buffer | null>) => V);

/** The element type a `Decode` produces. */
export type Decoded<D> = D extends 'string' ? string : D extends 'json' ? any : D extends (...args: any[]) => infer R ? R : Buffer | null;

export type DecodeFn<V> = (m: KafkaMessage, topic: string, partition: number) => V;

/** Compile a `Decode` into one function per message; keys are strings unless values stay bytes. */
export function valueDecoder(decode: Decode | undefined): DecodeFn<unknown> {
  if (decode === undefined || decode === 'buffer') return (m) => m.value;
  if (decode === 'string') return (m) => m.value?.toString('utf8') ?? null;
  if (decode === 'json') return (m) => (m.value === null ? null : JSON.parse(m.value.toString('utf8')));
  if (typeof decode !== 'function') throw new TypeError(`unknown decode option ${JSON.stringify(decode)}`);
  return (m, topic, partition) => decode(m.value, rawRecord(m, topic, partition));
}

export function recordOf<V>(m: KafkaMessage, topic: string, partition: number, value: V, bytesKey: boolean): KafkaRecord<V> {
  return {
    topic,
    partition,
    offset: m.offset,
    key: bytesKey ? m.key : (m.key?.toString('utf8') ?? null),
    value,
    timestamp: Number(m.timestamp),
    headers: m.headers ?? {},
  };
}

/** The message as received, bytes untouched: what a dead letter for a decode failure carries. */
export function rawRecord(m: KafkaMessage, topic: string, partition: number): KafkaRecord<Buffer | null, Buffer | null> {
  return recordOf(m, topic, partition, m.value, true) as KafkaRecord<Buffer | null, Buffer | null>;
}

/** Metadata a Kafka source attaches to what it emits, beside the `ref` (dead letters read it for their headers). */
export type KafkaMetaEntry = {
  readonly ref?: import('../core/ref-counter.js').RefCounter;
  readonly topic: string;
  readonly partition: number;
  /** First and last offset of the message(s) the element came from. */
  readonly offset: string;
  readonly lastOffset: string;
};

export function isKafkaMetaEntry(m: unknown): m is KafkaMetaEntry {
  const e = m as Partial<KafkaMetaEntry> | null;
  return typeof e?.topic === 'string' && typeof e.partition === 'number' && typeof e.offset === 'string';
}
