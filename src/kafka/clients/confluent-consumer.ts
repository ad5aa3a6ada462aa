import { EventEmitter } from 'node:events';
import { log } from '../../core/log.js';
import { AnsweredCommits, type CommitFailure, type CommittingConsumer } from './answered-commits.js';
import { GroupLog } from './group-log.js';
import type { ConsumerRunConfig, ConsumerSubscribeTopic, ConsumerSubscribeTopics, TopicPartitionOffsetAndMetadata } from 'kafkajs';

/** The part of a CKJS consumer we call. */
export interface CkConsumer extends CommittingConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(s: { topics: (string | RegExp)[] }): Promise<void>;
  run(c: Omit<ConsumerRunConfig, 'autoCommit' | 'autoCommitInterval' | 'autoCommitThreshold'>): Promise<void>;
  seek(tpo: { topic: string; partition: number; offset: string }): void;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
}

/** What librdkafka's rebalance callback gets (CKJS passes it through). */
type RebalanceCb = (err: { code: number }, assignment: { topic: string; partition: number }[], fns: { assign(a: { topic: string; partition: number }[]): void }) => void;

/** How the consumer made by `make` reports: librdkafka's rebalances, and each line of its log. */
export interface ConsumerHooks {
  onRebalance: RebalanceCb;
  onLog(error: boolean, message: string): void;
}

/** librdkafka's codes for the two halves of a rebalance. */
const ASSIGN_PARTITIONS = -175;
const REVOKE_PARTITIONS = -174;

/** kafkajs' names, which our listeners use. */
const EVENTS = { GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing', CRASH: 'consumer.crash' } as const;

/** What a batch's heartbeat throws while a revoke waits for it (kafkajs' error for a rebalance). */
function rebalanceInProgress(): Error {
  return Object.assign(new Error('Kafka: the group is rebalancing; a revoke waits for this batch to be handed back'), { type: 'REBALANCE_IN_PROGRESS' });
}

/**
 * A CKJS consumer with the kafkajs behaviour streamframe relies on:
 *  - events: CKJS has none; a rebalance's revoke is REBALANCING, its assign GROUP_JOIN with the
 *    whole assignment (also under cooperative rebalancing, where librdkafka hands out increments).
 *    librdkafka retries broker and group errors itself and never gives up; a group the broker
 *    rejects (see GroupLog) is a CRASH without restart, as in kafkajs, and fails `run()`.
 *  - a batch's `heartbeat()` (a no-op in CKJS) throws while a revoke waits for the batch to be
 *    handed back, as kafkajs' does while the group rebalances: the source hands it back after the
 *    emission under way, and CKJS fetches the rest again after the rebalance.
 *  - `commitOffsets()` settles with the broker's answer (CKJS' resolves once the commit is queued).
 *  - `subscribe({ fromBeginning })`: a consumer setting in CKJS, so the consumer is made here.
 *  - `run()` resolves once the group is joined (as kafkajs'), not at once.
 *  - `pause()` holds across rebalances (CKJS pauses assigned partitions only, and none before the join).
 *  - errors carry kafkajs' `type` names (CKJS' are prefixed ERR_), which rebalance checks look at.
 */
export class ConfluentConsumer {
  readonly events = EVENTS;
  private readonly emitter = new EventEmitter();
  private inner: CkConsumer | undefined;
  private readonly assigned = new Map<string, Set<number>>();
  private readonly paused = new Set<string>();
  private joined: { resolve(): void; reject(e: Error): void } | undefined;
  private rejected: Error | undefined;
  private readonly group = new GroupLog();
  private commits: AnsweredCommits | undefined;

  constructor(
    private readonly make: (fromBeginning: boolean, hooks: ConsumerHooks) => CkConsumer,
    /** A commit's librdkafka error as CKJS' kafkajs-style error (its `type` names the protocol error). */
    private readonly errorOf: (failure: CommitFailure) => Error,
  ) {}

  on(event: string, listener: (e: unknown) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Connecting waits for `subscribe`, which knows where a new group starts. */
  async connect(): Promise<void> {}

  async subscribe(s: ConsumerSubscribeTopic | ConsumerSubscribeTopics): Promise<void> {
    if (this.inner !== undefined) throw new Error("Kafka: client 'confluent' subscribes once per consumer");
    const consumer = this.make(s.fromBeginning ?? false, {
      onRebalance: (err, assignment, fns) => this.rebalanced(err.code, assignment, fns),
      onLog: (error, message) => this.logged(error, message),
    });
    await consumer.connect();
    this.inner = consumer;
    this.commits = new AnsweredCommits(consumer, this.errorOf);
    await consumer.subscribe({ topics: 'topic' in s ? [s.topic] : s.topics });
  }

  async run(config: ConsumerRunConfig): Promise<void> {
    const { autoCommit, autoCommitInterval: _i, autoCommitThreshold: _t, ...rest } = config;
    if (autoCommit !== false) throw new Error("Kafka: client 'confluent' consumers commit explicitly (run with autoCommit: false)");
    const joined = new Promise<void>((resolve, reject) => (this.joined = { resolve, reject }));
    if (this.rejected !== undefined) this.joined!.reject(this.rejected);
    const { eachBatch } = rest;
    if (eachBatch !== undefined) {
      rest.eachBatch = (payload) => {
        payload.heartbeat = async () => {
          if (this.group.revokePending) throw rebalanceInProgress();
        };
        return eachBatch(payload);
      };
    }
    await this.consumer().run(rest);
    await joined;
  }

  seek(tpo: { topic: string; partition: number; offset: string }): void {
    this.consumer().seek(tpo);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const t of topics) if (t.partitions === undefined) this.paused.add(t.topic);
    this.consumer().pause(topics);
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.consumer(); // subscribed, not disconnected
    try {
      await this.commits!.commit(offsets);
    } catch (e) {
      const err = e as { type?: unknown };
      if (typeof err?.type === 'string') err.type = err.type.replace(/^ERR_/, '');
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    this.joined?.resolve();
    await inner?.disconnect();
    this.commits?.end(new Error("Kafka: client 'confluent': the consumer disconnected before the broker answered the offset commit"));
  }

  private consumer(): CkConsumer {
    if (this.inner === undefined) throw new Error("Kafka: client 'confluent': the consumer is not subscribed (or was disconnected)");
    return this.inner;
  }

  private rebalanced(code: number, assignment: { topic: string; partition: number }[], fns: { assign(a: { topic: string; partition: number }[]): void }): void {
    if (code === REVOKE_PARTITIONS) {
      this.group.revoked();
      for (const { topic, partition } of assignment) this.assigned.get(topic)?.delete(partition);
      log('info', 'librdkafka: the consumer group is rebalancing; partitions revoked', { partitions: assignment });
      this.emitter.emit(EVENTS.REBALANCING, { payload: {} });
      return; // CKJS unassigns
    }
    if (code !== ASSIGN_PARTITIONS) return;
    this.group.assigned();
    // Assign first, so that the listener's seeks and our pauses apply to assigned partitions.
    fns.assign(assignment);
    for (const { topic, partition } of assignment) {
      let set = this.assigned.get(topic);
      if (set === undefined) this.assigned.set(topic, (set = new Set()));
      set.add(partition);
    }
    const paused = [...this.paused].filter((t) => this.assigned.has(t));
    if (paused.length > 0) this.inner?.pause(paused.map((topic) => ({ topic })));
    const memberAssignment = Object.fromEntries([...this.assigned].map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]));
    this.emitter.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment } });
    this.joined?.resolve();
    this.joined = undefined;
  }

  /** A rejected group fails the consumer once; its other errors librdkafka recovers from. */
  private logged(error: boolean, message: string): void {
    if (this.rejected !== undefined || this.inner === undefined) return;
    this.group.line(error, message);
    if (this.group.rejected === undefined) return;
    this.rejected = new Error(`the broker rejected this member (${this.group.rejected}); librdkafka would retry it without end`);
    this.emitter.emit(EVENTS.CRASH, { payload: { error: this.rejected, restart: false } });
    this.joined?.reject(this.rejected);
    this.joined = undefined;
  }
}
