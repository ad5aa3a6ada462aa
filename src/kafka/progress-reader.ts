import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { log } from '../core/log.js';
import { ProgressBook } from './progress-book.js';
import { parseProgressRecord } from './progress-record.js';

/** The progress topic a job would publish to did not come into existence within a wait: no job with progress has run in that group. */
export class ProgressTopicMissingError extends Error {
  override readonly name = 'ProgressTopicMissingError';
  constructor(
    readonly group: string,
    readonly topic: string,
  ) {
    super(`no progress topic ${JSON.stringify(topic)} for job group ${JSON.stringify(group)}: no job with progress enabled has run in that group on these brokers (check the group name, the brokers, and the job's progress option)`);
  }
}

/**
 * Reads one progress topic from its beginning for as long as it is open, keeping the newest figures
 * of every job (group) that publishes there in a ProgressBook each. One consumer per topic serves
 * every wait of the process. It joins a consumer group of its own and never commits: every reader
 * sees the whole (compacted) topic. Records that are not progress records are logged and skipped.
 */
export class ProgressReader {
  /** Subscribed and running (once the topic exists: a job just started creates it with its first publish). */
  readonly ready: Promise<void>;
  /** The topic did not exist at the last look. */
  missing = false;
  private readonly books = new Map<string, ProgressBook>();
  private readonly consumer: Consumer;
  private closed = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    this.consumer = kafka.consumer({ groupId: `streamframe-progress-reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.ready = this.start(kafka);
    this.ready.catch(() => undefined); // each wait reports it
  }

  book(group: string): ProgressBook {
    let book = this.books.get(group);
    if (book === undefined) this.books.set(group, (book = new ProgressBook(group)));
    return book;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const book of this.books.values()) book.abort(() => new Error(`the progress client was closed while waiting on ${this.topic}`));
    await this.ready.catch(() => undefined);
    await this.consumer.disconnect().catch(() => undefined);
  }

  private async start(kafka: Kafka): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      for (let attempt = 0; !(await admin.listTopics()).includes(this.topic); attempt++) {
        if (this.closed) return;
        this.missing = true;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1_000)));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.missing = false;
    if (this.closed) return;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.read(payload) });
  }

  private async read({ batch }: EachBatchPayload): Promise<void> {
    for (const m of batch.messages) {
      const r = parseProgressRecord(m.value);
      if (typeof r === 'string') {
        log('warn', 'skipped a record of the progress topic that is not a progress record', { topic: this.topic, partition: batch.partition, offset: m.offset, reason: r });
        continue;
      }
      this.book(r.group).update(r.topic, r.partition, r);
    }
  }
}
