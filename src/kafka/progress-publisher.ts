import { hostname } from 'node:os';
import type { Producer } from 'kafkajs';
import { log } from '../core/log.js';
import { createKafka, errorText, type KafkaClientConfig } from './config.js';
import type { KafkaPosition } from './offsets.js';
import { KafkaProgress, type PartitionProcessed } from './progress.js';
import { ProgressBook } from './progress-book.js';
import { laterOffset, progressKey, progressTopicOf, type ProgressRecord } from './progress-record.js';

export interface ProgressOptions {
  /** The progress topic (default `<group>.progress`). */
  topic?: string;
  /** Publish a partition's change at most this often, ms (default 50); checkpoint commits go out at once. */
  intervalMs?: number;
}

/** What a Kafka source offers its progress publisher. */
export interface ProgressSource {
  readonly topic: string;
  readonly config: KafkaClientConfig & { groupId: string };
  readonly id: string;
  /** The next offset the source reads in `partition`, if it reads it. */
  nextOffsetOf(partition: number): string | undefined;
  progress: KafkaProgress | undefined;
}

const RETRY_MS = 1_000;

interface Published {
  processed: string | null;
  checkpointed: string | null;
}

/**
 * Publishes one Kafka source's progress (KafkaProgress) to its group's compacted progress topic,
 * one record per input partition (`ProgressRecord`, key `<topic>/<partition>`): on change, at most
 * every `intervalMs`, and at once when a checkpoint commits. Figures only grow per partition while
 * this process publishes them. The same figures are kept in `book` for the job's HTTP endpoint.
 */
export class ProgressPublisher {
  readonly group: string;
  /** The input topic. */
  readonly sourceTopic: string;
  readonly progressTopic: string;
  readonly book: ProgressBook;
  readonly tracker: KafkaProgress;
  private readonly intervalMs: number;
  private readonly member = `${hostname()}:${process.pid}`;
  private readonly published = new Map<number, Published>();
  private readonly checkpointed = new Map<number, string>();
  private readonly dirty = new Set<number>();
  private started = false;
  private producer: Promise<Producer> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private lastSend = 0;
  private failures = 0;
  private closed = false;

  constructor(private readonly source: ProgressSource, options: ProgressOptions = {}) {
    this.group = source.config.groupId;
    this.sourceTopic = source.topic;
    this.progressTopic = options.topic ?? progressTopicOf(this.group);
    this.intervalMs = options.intervalMs ?? 50;
    if (!(this.intervalMs >= 0)) throw new TypeError(`progress: intervalMs must be a number >= 0, not ${options.intervalMs}`);
    this.book = new ProgressBook(this.group);
    this.tracker = new KafkaProgress((p) => source.nextOffsetOf(p), (p) => this.changed(p));
    source.progress = this.tracker;
  }

  /** Connect (creating the topic, compacted, if the brokers let us) and publish from now on. */
  start(): void {
    this.started = true;
    void this.connected().catch(() => undefined); // reported by the publish that awaits it
  }

  /** At the cut of a checkpoint: every partition's processed offset then. */
  atCut(): PartitionProcessed[] {
    return this.tracker.processed();
  }

  /**
   * The checkpoint taken at that cut has committed, holding the source at `position`: its
   * partitions are checkpointed up to what was processed at the cut. Published at once. A
   * partition revoked meanwhile is left out: its task's last checkpoint came from a later cut, or
   * was fenced, and its new owner reports it.
   */
  committed(cut: PartitionProcessed[], position: KafkaPosition | undefined): void {
    const inCheckpoint = new Set(position?.partitions.map((p) => p.partition));
    for (const { partition, processed } of cut) {
      if (!inCheckpoint.has(partition) || !this.tracker.owns(partition)) continue;
      this.checkpointed.set(partition, laterOffset(this.checkpointed.get(partition), processed)!);
      this.dirty.add(partition);
    }
    this.schedule(true);
  }

  /** Publish what is still unpublished, then disconnect. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
    if (this.dirty.size > 0 && this.started) await this.send().catch(() => undefined);
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  private changed(partition: number): void {
    this.dirty.add(partition);
    if (this.timer === undefined && this.sending === undefined) this.schedule(false);
  }

  private schedule(now: boolean): void {
    if (this.closed || !this.started) return;
    if (this.sending !== undefined) return; // the send in flight schedules the next one
    clearTimeout(this.timer);
    // After a failure (brokers away), try again every second rather than every interval.
    const wait = now ? 0 : Math.max(0, this.lastSend + (this.failures > 0 ? RETRY_MS : this.intervalMs) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.send()
        .then(
          () => void (this.failures = 0),
          (e: unknown) => {
            if (this.failures++ === 0) log('warn', 'could not publish progress; retrying', { source: this.source.id, topic: this.progressTopic, error: errorText(e) });
          },
        )
        .finally(() => {
          this.sending = undefined;
          if (this.dirty.size > 0) this.schedule(false);
        });
    }, wait);
    this.timer.unref?.();
  }

  /** One produce request with the new figures of every partition that changed. */
  private async send(): Promise<void> {
    this.lastSend = Date.now();
    const records: ProgressRecord[] = [];
    for (const partition of this.dirty) {
      const processed = this.tracker.processedOf(partition);
      const checkpointed = this.checkpointed.get(partition) ?? null;
      const last = this.published.get(partition);
      const figures = { processed: laterOffset(last?.processed, processed), checkpointed: laterOffset(last?.checkpointed, checkpointed) };
      if (figures.processed === null || (last?.processed === figures.processed && last.checkpointed === figures.checkpointed)) continue;
      records.push({ group: this.group, topic: this.source.topic, partition, processed: figures.processed, checkpointed: figures.checkpointed, member: this.member, at: this.lastSend });
    }
    this.dirty.clear();
    if (records.length === 0) return;
    for (const r of records) this.book.update(r.topic, r.partition, r);
    try {
      const producer = await this.connected();
      await producer.send({ topic: this.progressTopic, acks: 1, messages: records.map((r) => ({ key: progressKey(r.topic, r.partition), value: JSON.stringify(r) })) });
      for (const r of records) this.published.set(r.partition, { processed: r.processed, checkpointed: r.checkpointed });
    } catch (e) {
      for (const r of records) this.dirty.add(r.partition); // again with the next send
      throw e;
    }
  }

  /** The producer, connecting it first; a connection that failed is tried anew at the next publish. */
  private connected(): Promise<Producer> {
    if (this.producer === undefined) {
      const connecting = this.connect();
      this.producer = connecting;
      connecting.catch(() => {
        if (this.producer === connecting) this.producer = undefined;
      });
    }
    return this.producer;
  }

  private async connect(): Promise<Producer> {
    const kafka = createKafka(this.source.config, `streamframe-progress-${this.group}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      const exists = (await admin.listTopics()).includes(this.progressTopic);
      if (!exists) await this.createTopic(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    return producer;
  }

  private async createTopic(admin: ReturnType<ReturnType<typeof createKafka>['admin']>): Promise<void> {
    try {
      await admin.createTopics({ topics: [{ topic: this.progressTopic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      log('info', 'created the progress topic', { source: this.source.id, topic: this.progressTopic, cleanupPolicy: 'compact' });
    } catch (e) {
      // Brokers that refuse CreateTopics (or this config) still create the topic at the first publish.
      log('warn', 'could not create the progress topic as compacted; it is created by the first publish with the broker defaults', { source: this.source.id, topic: this.progressTopic, error: errorText(e) });
    }
  }
}

/** The partitions that a position holds, for matching a cut against a checkpoint. */
export function positionOf(sources: Record<string, unknown>, id: string): KafkaPosition | undefined {
  const p = sources[id] as KafkaPosition | undefined;
  return p?.kind === 'kafka' ? p : undefined;
}
