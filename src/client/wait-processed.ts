import type { Kafka, RecordMetadata } from 'kafkajs';
import { createKafka, type KafkaClientConfig } from '../kafka/config.js';
import { isOffset } from '../kafka/offsets.js';
import { ProgressTimeoutError } from '../kafka/progress-book.js';
import { ProgressReader, ProgressTopicMissingError } from '../kafka/progress-reader.js';
import { progressTopicOf, type ProgressLevel } from '../kafka/progress-record.js';

/**
 * Where a record went: what kafkajs' `producer.send` resolves to (one entry per partition; a
 * partition's `baseOffset` is its first record), or one record's topic, partition and offset.
 */
export type ProducedAt = RecordMetadata | readonly RecordMetadata[] | { topic: string; partition: number; offset: string };

export interface WaitOptions {
  /** The consumer group of the job to wait for, or `groups` for several (fan-out to several views). */
  group?: string;
  groups?: readonly string[];
  /** `processed` (default): left the job's graph; `checkpointed`: also in a committed checkpoint (and so in its exactly-once outputs). */
  level?: ProgressLevel;
  /** Reject after this long (default 30 000 ms). */
  timeoutMs?: number;
  /** The jobs' progress topic, when they set one (default `<group>.progress`). */
  progressTopic?: string | ((group: string) => string);
}

interface Wanted {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A publisher's view of its jobs' progress (read-your-writes): one consumer per progress topic for
 * the whole process, however many waits run at once. Close it when done.
 */
export class ProgressClient {
  private readonly kafka: Kafka;
  private readonly readers = new Map<string, ProgressReader>();
  private closed = false;

  constructor(config: KafkaClientConfig) {
    this.kafka = createKafka(config, 'streamframe-progress-client');
  }

  /**
   * Resolves once every named job has moved past the produced record(s) in their partition(s) at
   * `level`; rejects with a ProgressTimeoutError (job, partition, wanted and current offsets) after
   * `timeoutMs`, or a ProgressTopicMissingError when a job's group has no progress topic by then.
   */
  async waitProcessed(meta: ProducedAt, options: WaitOptions): Promise<void> {
    const groups = groupsOf(options);
    const wanted = wantedOf(meta);
    const level = options.level ?? 'processed';
    if (level !== 'processed' && level !== 'checkpointed') throw new TypeError(`waitProcessed: level must be 'processed' or 'checkpointed', not ${JSON.stringify(level)}`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs >= 0)) throw new TypeError(`waitProcessed: timeoutMs must be a number >= 0, not ${options.timeoutMs}`);
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      groups.map(async (group) => {
        const topic = typeof options.progressTopic === 'function' ? options.progressTopic(group) : (options.progressTopic ?? progressTopicOf(group));
        const reader = this.reader(topic);
        try {
          await readyBy(reader, deadline);
        } catch (e) {
          if (e !== NOT_READY) throw e;
          if (reader.missing) throw new ProgressTopicMissingError(group, topic);
          throw new ProgressTimeoutError(group, wanted[0].topic, wanted[0].partition, level, wanted[0].offset, undefined, timeoutMs);
        }
        const book = reader.book(group);
        await Promise.all(wanted.map((w) => book.wait(w.topic, w.partition, w.offset, level, Math.max(0, deadline - Date.now())).catch((e: unknown) => {
          // The deadline is the caller's, not what was left of it after connecting.
          throw e instanceof ProgressTimeoutError ? new ProgressTimeoutError(group, w.topic, w.partition, level, w.offset, e.current, timeoutMs) : e;
        })));
      }),
    );
  }

  /** The progress topics this client reads (one consumer each). */
  get topics(): string[] {
    return [...this.readers.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map((r) => r.close()));
  }

  private reader(topic: string): ProgressReader {
    if (this.closed) throw new Error('waitProcessed: this ProgressClient is closed');
    let reader = this.readers.get(topic);
    if (reader === undefined) {
      const created = new ProgressReader(this.kafka, topic);
      this.readers.set(topic, created);
      // Brokers unreachable, say: the next call tries anew.
      created.ready.catch(() => {
        if (this.readers.get(topic) === created) this.readers.delete(topic);
        void created.close();
      });
      reader = created;
    }
    return reader;
  }
}

const NOT_READY = Symbol('not ready');

function readyBy(reader: ProgressReader, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(NOT_READY), Math.max(0, deadline - Date.now()))));
  return Promise.race([reader.ready, late]).finally(() => clearTimeout(timer));
}

function groupsOf(options: WaitOptions): string[] {
  const groups = [...(options.groups ?? []), ...(options.group === undefined ? [] : [options.group])];
  if (groups.length === 0) throw new TypeError('waitProcessed: name the job(s) to wait for: { group } or { groups: [...] }');
  for (const g of groups) if (typeof g !== 'string' || g.trim() === '') throw new TypeError(`waitProcessed: a group must be a non-empty string, not ${JSON.stringify(g)}`);
  return groups;
}

function wantedOf(meta: ProducedAt): Wanted[] {
  const list = Array.isArray(meta) ? (meta as readonly RecordMetadata[]) : [meta as RecordMetadata | Wanted];
  if (list.length === 0) throw new TypeError('waitProcessed: no record metadata (producer.send resolved to an empty list?)');
  return list.map((m) => {
    const r = m as Partial<RecordMetadata & Wanted>;
    const topic = r.topic ?? r.topicName;
    const offset = 'baseOffset' in r && r.baseOffset !== undefined ? r.baseOffset : r.offset;
    if (r.errorCode !== undefined && r.errorCode !== 0) throw new TypeError(`waitProcessed: the record was not written (Kafka error code ${r.errorCode} for ${topic}/${r.partition})`);
    if (typeof topic !== 'string' || !Number.isInteger(r.partition) || r.partition! < 0 || !isOffset(offset)) {
      throw new TypeError(`waitProcessed: expected producer.send's result or { topic, partition, offset }, got ${JSON.stringify(m)}`);
    }
    return { topic, partition: r.partition!, offset };
  });
}

const shared = new Map<string, ProgressClient>();

/**
 * `new ProgressClient({ brokers }).waitProcessed(meta, options)` with one client per broker list
 * for the whole process; `closeProgressClients()` closes them.
 */
export function waitProcessed(meta: ProducedAt, options: WaitOptions & { brokers: string[] | string }): Promise<void> {
  const key = [options.brokers].flat().join(',');
  let client = shared.get(key);
  if (client === undefined) shared.set(key, (client = new ProgressClient({ brokers: options.brokers })));
  return client.waitProcessed(meta, options);
}

/** Close the clients `waitProcessed` opened (their consumers leave their groups). */
export async function closeProgressClients(): Promise<void> {
  const clients = [...shared.values()];
  shared.clear();
  await Promise.all(clients.map((c) => c.close()));
}
