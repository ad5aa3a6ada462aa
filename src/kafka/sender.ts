import { Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { createKafka, errorText, type KafkaProducerConfig } from './config.js';

interface OpenBatch {
  readonly byTopic: Map<string, Message[]>;
  readonly done: Promise<void>;
}

/**
 * A producer shared by the nodes that write to Kafka. Records handed over while a send is in
 * flight (or in the same microtask) go out together in the next send; sends run one after
 * another, so records keep their order and each caller's promise resolves when its records are
 * acknowledged by all in-sync replicas (acks -1). Idempotent by default.
 */
export class KafkaSender {
  readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private open: OpenBatch | undefined;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly config: KafkaProducerConfig, clientId = 'streamframe-producer') {
    this.kafka = createKafka(config, config.clientId ?? clientId);
  }

  /** Resolves when every one of `messages` is acknowledged. */
  send(topic: string, messages: Message[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`Kafka producer for ${topic} is closed`));
    let b = this.open;
    if (b === undefined) {
      const byTopic = new Map<string, Message[]>();
      // Chained on the previous send: this batch collects records until that one is acknowledged.
      const done = this.tail.then(() => this.sendBatch(b!));
      b = this.open = { byTopic, done };
      this.tail = done.catch(() => undefined);
    }
    const list = b.byTopic.get(topic);
    if (list === undefined) b.byTopic.set(topic, [...messages]);
    else for (const m of messages) list.push(m);
    return b.done;
  }

  /** Wait for everything handed over so far to be acknowledged (or to fail). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Send one batch; from now on new records go into the next one. */
  private async sendBatch(batch: OpenBatch): Promise<void> {
    if (this.open === batch) this.open = undefined;
    const topicMessages: TopicMessages[] = [...batch.byTopic].map(([topic, messages]) => ({ topic, messages }));
    const producer = await this.connect();
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
    } catch (e) {
      throw new Error(`Kafka: writing to ${[...batch.byTopic.keys()].join(', ')} failed: ${errorText(e)}`, { cause: e });
    }
  }

  /** Send what is pending, then disconnect. */
  async close(): Promise<void> {
    await this.tail;
    this.closed = true;
    const p = this.producer;
    this.producer = undefined;
    if (p !== undefined) await (await p.catch(() => undefined))?.disconnect();
  }

  private connect(): Promise<Producer> {
    if (this.producer === undefined) {
      const idempotent = this.config.idempotent ?? true;
      const producer = this.kafka.producer({
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        metadataMaxAge: 5_000,
        ...this.config,
        idempotent,
        // An idempotent producer retries until the write is acknowledged (kafkajs' own default);
        // the client's retry settings still set the pauses. A pipeline waits out an outage.
        retry: idempotent ? { ...this.config.retry, retries: Number.MAX_SAFE_INTEGER } : this.config.retry,
      });
      this.producer = producer.connect().then(
        () => producer,
        (e: unknown) => {
          this.producer = undefined; // try again on the next send
          throw new Error(`Kafka: producer cannot connect to ${this.config.brokers}: ${errorText(e)}`, { cause: e });
        },
      );
    }
    return this.producer;
  }
}
