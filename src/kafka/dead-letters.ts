import type { IHeaders, Message } from 'kafkajs';
import { type DeadLetter } from '../core/errors.js';
import type { Emitted, Meta } from '../core/meta.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import type { KafkaProducerConfig } from './config.js';
import { isKafkaMetaEntry, type KafkaRecord } from './record.js';
import { KafkaSender } from './sender.js';
import { defaultValue } from './to-kafka.js';

/** Header names of a dead-letter record (values are UTF-8 strings). */
export const DeadLetterHeader = {
  error: 'streamframe.error',
  errorClass: 'streamframe.error.class',
  nodeId: 'streamframe.node.id',
  topic: 'streamframe.source.topic',
  partition: 'streamframe.source.partition',
  /** Offset of the message, or of the first message of the batch the element came from. */
  offset: 'streamframe.source.offset',
  /** Last offset of that batch (equal to `offset` for one message). */
  lastOffset: 'streamframe.source.last-offset',
} as const;

/**
 * A stream to use as `.onError({ deadLetter })`: every dead letter is written to `topic` and
 * passed on once acknowledged (so the failed input's offsets are committed only after that).
 * A message that failed to decode keeps its key, value bytes and headers; anything else is
 * written as JSON. Headers say what failed, where (node id) and where the input came from.
 */
export class KafkaDeadLetters extends Stream<DeadLetter> {
  readonly sender: KafkaSender;

  constructor(readonly topic: string, config: KafkaProducerConfig, options?: StreamOptions) {
    super(options, []);
    this.sender = new KafkaSender(config, 'streamframe-dead-letters');
  }

  override get kind(): string {
    return 'kafkaDeadLetters';
  }

  override params(): Record<string, unknown> {
    return { topic: this.topic };
  }

  /** Error policies call `emit` directly: write first, then pass the letter on. */
  override emit(x: DeadLetter, meta?: Meta): Emitted {
    return this.sender.send(this.topic, [deadLetterMessage(x, meta)]).then(() => super.emit(x, meta));
  }

  override update(x: unknown, meta: Meta): Emitted {
    return this.emit(x as DeadLetter, meta);
  }

  flush(): Promise<void> {
    return this.sender.flush();
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}

export function kafkaDeadLetters(topic: string, config: KafkaProducerConfig, options?: StreamOptions): KafkaDeadLetters {
  return new KafkaDeadLetters(topic, config, options);
}

function isRawRecord(x: unknown): x is KafkaRecord<Buffer | null, Buffer | null> {
  const r = x as Partial<KafkaRecord> | null;
  return typeof r?.topic === 'string' && typeof r.offset === 'string' && (r.value === null || Buffer.isBuffer(r.value));
}

export function deadLetterMessage(letter: DeadLetter, meta: Meta): Message {
  const { error, element, nodeId } = letter;
  const headers: IHeaders = {
    [DeadLetterHeader.error]: error instanceof Error ? error.message : String(error),
    [DeadLetterHeader.errorClass]: error instanceof Error ? error.name : typeof error,
    [DeadLetterHeader.nodeId]: nodeId,
  };
  const source = meta?.find(isKafkaMetaEntry);
  if (source !== undefined) {
    headers[DeadLetterHeader.topic] = source.topic;
    headers[DeadLetterHeader.partition] = String(source.partition);
    headers[DeadLetterHeader.offset] = source.offset;
    headers[DeadLetterHeader.lastOffset] = source.lastOffset;
  }
  if (isRawRecord(element)) {
    return { key: element.key, value: element.value, headers: { ...element.headers, ...headers } };
  }
  let value: string | Buffer | null;
  try {
    value = defaultValue(element);
  } catch {
    value = String(element);
  }
  return { value, headers };
}
