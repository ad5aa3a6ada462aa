import type { Consumer, Kafka, PartitionAssigner } from 'kafkajs';
import { log } from '../core/log.js';
import { brokerList, errorText, groupTiming, type KafkaConsumerConfig } from './config.js';

/**
 * Where a source stands with its consumer group, which decides what a durable checkpoint's
 * offsets do (`KafkaSourceBase.checkpointCommitted`):
 *  - stopped: no consumer (before and after `run`): a short-lived member commits them;
 *  - joining: connected, waiting for partitions (first join or a rebalance): committed once joined;
 *  - member: partitions assigned: committed at once, for the partitions still ours;
 *  - leaving: stopping or failed; the assignment (a final checkpoint's position) no longer
 *    changes: committed once left.
 */
export type Phase = 'stopped' | 'joining' | 'member' | 'leaving';

/** Errors of a commit that a rebalance overtook: the member's generation is over. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/** A commit failed because a rebalance began under it (retried once rejoined), not for good. */
export const isRebalance = (e: unknown): boolean => {
  // kafkajs' retrier wraps the protocol error once its retries ran out.
  const err = e as { type?: string; cause?: { type?: string } } | null;
  return REBALANCE_ERRORS.has(err?.type ?? err?.cause?.type ?? '');
};

/** How often a join that takes long says so in the log. */
const JOIN_PROGRESS_MS = 5_000;

/** What the group's events ask of the source. */
export interface GroupEvents {
  /** Joined (first join or a rejoin): `assigned` are the source topic's partitions now. */
  joined(assigned: number[]): void;
  /** An error kafkajs does not recover from: the source fails with it. */
  fatal(error: Error): void;
}

/** Checked before connecting: a missing group or broker list is a configuration error; the brokers. */
export function checkGroupConfig(config: KafkaConsumerConfig, topic: string): string[] {
  const name = `fromKafka(${JSON.stringify(topic)})`;
  const { groupId } = config;
  if (typeof groupId !== 'string' || groupId.trim() === '') throw new Error(`${name}: config.groupId must be a non-empty string`);
  const brokers = brokerList(config.brokers);
  if (brokers.length === 0) throw new Error(`${name}: config.brokers is empty`);
  return brokers;
}

/** The source's consumer (`assigner`: a co-partitioned job's, see PartitionTasks.group). */
export function groupConsumer(kafka: Kafka, config: KafkaConsumerConfig, pollInterval: number, assigner: PartitionAssigner | undefined): Consumer {
  return kafka.consumer({
    maxWaitTimeInMs: pollInterval,
    // kafkajs fetches only from brokers in its metadata, and drops a broker that went away; it
    // notices the broker is back only at the next refresh (default 5 min). Refresh often.
    metadataMaxAge: 5_000,
    ...config,
    ...groupTiming(config),
    ...(assigner === undefined ? {} : { partitionAssigners: [assigner] }),
  });
}

/**
 * A Kafka source's standing in its consumer group: the phase, the group events that move it
 * (a join makes it a member, a rebalance or a restart a joiner again, a crash kafkajs does not
 * restart from is fatal), and a join that takes long (a crashed member's session must expire
 * first) waited out with a progress line every few seconds instead of failing.
 */
export class GroupMembership {
  phase: Phase = 'stopped';
  /** Since when the phase is 'joining', and the last error kafkajs recovered from meanwhile (for the progress line). */
  private joiningSince = 0;
  private lastError = '';
  private progress: NodeJS.Timeout | undefined;

  constructor(
    /** For the progress line: the source's id, its group and session timeout. */
    private readonly fields: () => { source: string; group: string; sessionTimeout: number },
  ) {}

  enter(phase: Phase): void {
    if (phase === 'joining' && this.phase !== 'joining') this.joiningSince = Date.now();
    if (phase !== 'joining') this.lastError = '';
    this.phase = phase;
  }

  /** Connected: from now until `unwatch()`, a join that takes long says so every few seconds. */
  watch(consumer: Consumer, topic: string, on: GroupEvents): void {
    this.joiningSince = Date.now();
    this.progress = setInterval(() => this.reportSlowJoin(), JOIN_PROGRESS_MS);
    this.listen(consumer, topic, on);
  }

  unwatch(): void {
    clearInterval(this.progress);
    this.progress = undefined;
  }

  private get gone(): boolean {
    return this.phase === 'leaving' || this.phase === 'stopped';
  }

  private listen(consumer: Consumer, topic: string, on: GroupEvents): void {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (this.gone) return this.leaveAgain(consumer);
      on.joined(e.payload.memberAssignment[topic] ?? []);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (this.phase === 'member') this.enter('joining');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const error = errorText(e.payload.error);
      if (this.gone) return this.leaveAgain(consumer);
      // kafkajs restarts itself after retriable errors (broker down, rebalance) and rejoins; the rest is fatal.
      if (!e.payload.restart) return on.fatal(new Error(`Kafka: fromKafka(${JSON.stringify(topic)}), consumer group ${JSON.stringify(this.fields().group)}: ${error}`));
      this.lastError = error;
      this.enter('joining');
    });
  }

  /**
   * kafkajs can restart a crashed consumer after it was disconnected (the restart timer is set
   * after its CRASH event); the restarted consumer would rejoin the group and hold partitions
   * nobody reads. Disconnect it again once kafkajs has set that timer, which clears it.
   */
  private leaveAgain(consumer: Consumer): void {
    log('info', 'kafka consumer active after its source stopped; leaving the group', { source: this.fields().source });
    setImmediate(() => void consumer.disconnect().catch(() => undefined));
  }

  /** A join that takes long is waited out (a crashed member's session must expire first), and says so. */
  private reportSlowJoin(): void {
    const waited = Date.now() - this.joiningSince;
    if (this.phase !== 'joining' || waited < JOIN_PROGRESS_MS) return;
    const { source, group, sessionTimeout } = this.fields();
    log('warn', 'still joining the Kafka consumer group: it is rebalancing, and a member that did not leave (a crashed process) holds it until its session times out', {
      source,
      group,
      waitedMs: waited,
      sessionTimeout,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    });
  }
}
