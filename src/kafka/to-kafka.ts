import type { IHeaders, Message } from 'kafkajs';
import { preview } from '../core/errors.js';
import type { Emitted, Meta } from '../core/meta.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import type { KafkaProducerConfig } from './config.js';
import { KafkaSender } from './sender.js';

type Bytes = string | Buffer | null;

export interface ToKafkaOptions<T> extends StreamOptions {
  /** The record key (default none: kafkajs spreads keyless records over the partitions). */
  key?: (x: T) => Bytes | undefined;
  /** The record value (default: strings and Buffers as they are, null as a tombstone, anything else as JSON). */
  value?: (x: T) => Bytes;
  partition?: (x: T) => number | undefined;
  headers?: (x: T) => IHeaders | undefined;
  /** Elements are arrays: each item is one record, the array is sent (and acknowledged) as one. */
  flatten?: boolean;
}

declare module '../core/stream.js' {
  interface Stream<T> {
    /**
     * Write every element to a Kafka topic. The element moves on (and its references are released,
     * so the input's offsets may be committed) only once the write is acknowledged.
     */
    toKafka(topic: string, config: KafkaProducerConfig, options?: ToKafkaOptions<T> & { flatten?: false }): ToKafkaNode<T>;
    /** Write the items of every array element as records, the array in one send. */
    toKafka(topic: string, config: KafkaProducerConfig, options: ToKafkaOptions<T extends Iterable<infer U> ? U : never> & { flatten: true }): ToKafkaNode<T>;
  }
}

export function defaultValue(x: unknown): Bytes {
  if (x === null || typeof x === 'string' || Buffer.isBuffer(x)) return x as Bytes;
  if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const json = JSON.stringify(x);
  if (json === undefined) throw new TypeError(`cannot write ${preview(x)} to Kafka: give a value function`);
  return json;
}

/** Writes elements to Kafka and passes each on once it is acknowledged. */
export class ToKafkaNode<T> extends Stream<T> {
  readonly sender: KafkaSender;
  private readonly options: ToKafkaOptions<any>;

  constructor(upstream: Stream<T>, readonly topic: string, config: KafkaProducerConfig, options: ToKafkaOptions<any> = {}) {
    super(options, [upstream]);
    this.options = options;
    this.sender = new KafkaSender(config);
  }

  override get kind(): string {
    return 'toKafka';
  }

  override params(): Record<string, unknown> {
    return { topic: this.topic };
  }

  override update(x: T, meta: Meta): Emitted {
    let messages: Message[];
    try {
      messages = this.options.flatten ? Array.from(x as Iterable<unknown>, (y) => this.message(y)) : [this.message(x)];
    } catch (e) {
      return this.fail(e, x, meta);
    }
    const write = () => this.sender.send(this.topic, messages).then(() => this.out(x, meta));
    return write().then(undefined, (e: unknown) => this.fail(e, x, meta, write));
  }

  /** Wait until everything written so far is acknowledged. */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** Flush and disconnect the producer. */
  close(): Promise<void> {
    return this.sender.close();
  }

  override destroy(): void {
    super.destroy();
    void this.close().catch(() => undefined);
  }

  private message(x: unknown): Message {
    const o = this.options;
    const m: Message = { value: (o.value ?? defaultValue)(x) };
    if (o.key) m.key = o.key(x);
    if (o.partition) m.partition = o.partition(x);
    if (o.headers) m.headers = o.headers(x);
    return m;
  }
}

Stream.prototype.toKafka = function (this: Stream<any>, topic: string, config: KafkaProducerConfig, options?: ToKafkaOptions<any>) {
  return new ToKafkaNode(this, topic, config, options);
} as Stream<any>['toKafka'];
