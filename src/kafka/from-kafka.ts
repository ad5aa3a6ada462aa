import type { KafkaMessage } from 'kafkajs';
import { Stream } from '../core/stream.js';
import type { KafkaConsumerConfig } from './config.js';
import { rawRecord, type Decode, type Decoded, type KafkaRecord } from './record.js';
import { KafkaSourceBase, NOTHING, type KafkaSourceOptions, type Letter, type PartitionState } from './source.js';

export interface KafkaBatchedOptions<D extends Decode<any> = 'buffer'> extends KafkaSourceOptions<D> {
  /** Most messages in one emitted batch (default 10 000); a larger fetch is split. */
  maxBatchSize?: number;
}

/** What one message becomes: its decoded value, or with `keys: true` the whole record. */
type Element<D, K> = K extends true ? KafkaRecord<Decoded<D>> : Decoded<D>;

type Named = 'buffer' | 'string' | 'json';
type ValueFn<V> = (value: Buffer | null, record: KafkaRecord<Buffer | null>) => V;

declare module '../core/stream.js' {
  namespace Stream {
    /**
     * Read a Kafka topic as a consumer group and emit one array per partition per fetch (streamz's
     * `from_kafka_batched`). Without a job, offsets are committed once the graph is done with a batch.
     */
    var fromKafkaBatched: {
      <V, K extends boolean = false>(
        topic: string,
        config: KafkaConsumerConfig,
        options: Omit<KafkaBatchedOptions, 'decode'> & { decode: ValueFn<V>; keys?: K },
      ): KafkaBatchedSource<K extends true ? KafkaRecord<V> : V>;
      <D extends Named = 'buffer', K extends boolean = false>(
        topic: string,
        config: KafkaConsumerConfig,
        options?: KafkaBatchedOptions<D> & { keys?: K },
      ): KafkaBatchedSource<Element<D, K>>;
    };
    /** Read a Kafka topic as a consumer group and emit one element per message. */
    var fromKafka: {
      <V, K extends boolean = false>(
        topic: string,
        config: KafkaConsumerConfig,
        options: Omit<KafkaSourceOptions, 'decode'> & { decode: ValueFn<V>; keys?: K },
      ): KafkaSource<K extends true ? KafkaRecord<V> : V>;
      <D extends Named = 'buffer', K extends boolean = false>(
        topic: string,
        config: KafkaConsumerConfig,
        options?: KafkaSourceOptions<D> & { keys?: K },
      ): KafkaSource<Element<D, K>>;
    };
  }
}

/** Decode messages into elements; the ones that fail become letters for the error policy. */
function decodeAll(src: KafkaSourceBase<any>, p: number, messages: KafkaMessage[], out: unknown[], letters: Letter[]): void {
  const { topic } = src;
  for (const m of messages) {
    let v: unknown;
    try {
      v = src.decodeMessage(m, p);
    } catch (error) {
      letters.push({ error, element: rawRecord(m, topic, p) });
      continue;
    }
    out.push(v);
  }
}

/** One emitted array per partition per fetch, at most `maxBatchSize` long. */
export class KafkaBatchedSource<E> extends KafkaSourceBase<E[]> {
  private readonly maxBatchSize: number;

  constructor(topic: string, config: KafkaConsumerConfig, options: KafkaBatchedOptions<any> = {}) {
    super(topic, config, options);
    this.maxBatchSize = options.maxBatchSize ?? 10_000;
    if (!(this.maxBatchSize >= 1)) throw new RangeError(`fromKafkaBatched: maxBatchSize must be at least 1`);
  }

  override get kind(): string {
    return 'fromKafkaBatched';
  }

  protected override get sliceSize(): number {
    return this.maxBatchSize;
  }

  protected async deliverMessages(part: PartitionState, messages: KafkaMessage[]): Promise<void> {
    const values: E[] = [];
    const letters: Letter[] = [];
    decodeAll(this, part.partition, messages, values, letters);
    const first = messages[0].offset;
    const last = messages[messages.length - 1].offset;
    const batch = this.openProgress(part, first);
    try {
      await this.deliver(part, values.length > 0 ? values : NOTHING, letters, first, last, batch);
    } finally {
      batch?.close();
    }
  }
}

/** One emitted element per message. */
export class KafkaSource<E> extends KafkaSourceBase<E> {
  override get kind(): string {
    return 'fromKafka';
  }

  protected async deliverMessages(part: PartitionState, messages: KafkaMessage[], keepGoing: () => boolean): Promise<void> {
    const one: E[] = [];
    const letters: Letter[] = [];
    // Progress is tracked per fetched batch, not per message (see ProgressBatch).
    const batch = this.openProgress(part, messages[0].offset);
    try {
      for (const m of messages) {
        one.length = 0;
        letters.length = 0;
        decodeAll(this, part.partition, [m], one, letters);
        await this.deliver(part, one.length > 0 ? one[0] : NOTHING, [...letters], m.offset, m.offset, batch);
        if (!keepGoing()) return;
      }
    } finally {
      batch?.close();
    }
  }
}

Stream.fromKafkaBatched = ((topic: string, config: KafkaConsumerConfig, options?: KafkaBatchedOptions<any>) =>
  new KafkaBatchedSource(topic, config, options)) as typeof Stream.fromKafkaBatched;
Stream.fromKafka = ((topic: string, config: KafkaConsumerConfig, options?: KafkaSourceOptions<any>) =>
  new KafkaSource(topic, config, options)) as typeof Stream.fromKafka;

