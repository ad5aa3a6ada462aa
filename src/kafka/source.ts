import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { drain } from '../core/graph.js';
import { log } from '../core/log.js';
import { joinEmitted, type Emitted, type Meta } from '../core/meta.js';
import type { Seekable } from '../core/stateful.js';
import type { StreamOptions } from '../core/stream.js';
import { Source } from '../sources/source.js';
import { Assignment, type PartitionState } from './assignment.js';
import { CommitTracker, type CommitFn } from './commit-tracker.js';
import { createKafka, errorText, groupTiming, type KafkaConsumerConfig } from './config.js';
import { commitAsTemporaryMember, connectToGroup, startOffsets, type StartFrom } from './group.js';
import { checkGroupConfig, groupConsumer, GroupMembership, isRebalance } from './membership.js';
import { taskStarts, type PartitionTasks } from './tasks.js';
import { checkPosition, nextOffset, offsetBefore, type KafkaPosition } from './offsets.js';
import type { KafkaProgress, ProgressBatch } from './progress.js';
import { recordOf, valueDecoder, type Decode, type DecodeFn, type KafkaMetaEntry } from './record.js';

export interface KafkaSourceOptions<D extends Decode<any> = 'buffer'> extends StreamOptions {
  /** Emit whole records `{ topic, partition, offset, key, value, timestamp, headers }` instead of values. */
  keys?: boolean;
  /** How value bytes become elements (default: the bytes, as a Buffer). */
  decode?: D;
  /** Where a group that has no committed offset for a partition starts (default `'latest'`, like streamz). */
  startFrom?: StartFrom;
  /** Longest wait of a fetch for new messages, ms (kafkajs' `maxWaitTimeInMs`; default 100). */
  pollInterval?: number;
  /**
   * Bound on connecting and checking the topic, ms (default 30 000): configuration errors fail
   * within it. Joining the group has no bound: a join held up by a rebalance (a crashed member's
   * session must expire first) is waited out, with a log line every few seconds.
   */
  startTimeout?: number;
}

interface Letter {
  error: unknown;
  element: unknown;
}

/** Emitted in place of an element when every message of a delivery failed to decode: only its dead letters leave. */
export const NOTHING: unique symbol = Symbol('nothing');

/**
 * The consumer-group machinery shared by `fromKafka` and `fromKafkaBatched`; subclasses decide
 * what one emission is (`deliverMessages`).
 *
 * Reading: kafkajs' `eachBatch` (one fetched batch per partition, one partition at a time) with
 * auto-resolve and auto-commit off. The handler awaits each emission, so a graph that pushes back
 * stops kafkajs' fetch loop (it fetches again only when the batch handler returned).
 *
 * Offsets, two modes:
 *  - alone (no job, `gate` unset): each emission carries a RefCounter; its offsets go to the group
 *    when every branch downstream is done with it, in order per partition (see CommitTracker).
 *  - under a job (`gate` set): no refcount commits. `position()` is the next offset per assigned
 *    partition, `seek()` sets where the next `run()` starts, `checkpointCommitted()` commits a
 *    durable checkpoint's offsets to the group.
 *
 * Which partitions are read, and from where, across rebalances: see `Assignment`; the standing in
 * the group (joining, member, leaving; a slow join reported, fatal errors told apart): `GroupMembership`.
 */
export abstract class KafkaSourceBase<T> extends Source<T> implements Seekable<KafkaPosition> {
  protected readonly kafka: Kafka;
  protected readonly decodeValue: DecodeFn<unknown>;
  protected readonly keys: boolean;
  protected readonly bytesKey: boolean;
  private readonly decodeName: string;
  private readonly startFrom: StartFrom;
  private readonly pollInterval: number;
  private readonly startTimeout: number;
  private readonly timing: ReturnType<typeof groupTiming>;
  private readonly assignment: Assignment;
  private readonly membership = new GroupMembership(() => ({ source: this.id, group: this.config.groupId, sessionTimeout: this.timing.sessionTimeout }));
  /** The consumer and its admin client while not 'stopped'. */
  private client: { consumer: Consumer; admin: Admin } | undefined;
  /** Ends the current run: resolved by stop(), rejected by a fatal consumer error. */
  private end: { stop(): void; fail(e: Error): void } | undefined;
  private commits: CommitTracker | undefined;
  private inBatch: Promise<void> | undefined;
  private letters: Letter[] = [];
  /** The partition of the emission under way, for `tasks`. */
  private delivering = -1;
  /** Set by a partitioned job: each partition's emissions go to its own task (see PartitionTasks). */
  tasks: PartitionTasks | undefined;
  /** Set by a job that publishes its progress: which offsets have left the graph. */
  progress: KafkaProgress | undefined;
  private pendingCheckpointCommit: KafkaPosition | undefined;

  constructor(
    readonly topic: string,
    readonly config: KafkaConsumerConfig,
    options: KafkaSourceOptions<any> = {},
  ) {
    super(options);
    this.assignment = new Assignment(topic);
    this.kafka = createKafka(config, config.clientId ?? `streamframe-${config.groupId}`);
    this.decodeValue = valueDecoder(options.decode);
    this.keys = options.keys ?? false;
    this.bytesKey = options.decode === undefined || options.decode === 'buffer';
    this.decodeName = typeof options.decode === 'function' ? 'function' : (options.decode ?? 'buffer');
    this.startFrom = options.startFrom ?? 'latest';
    this.pollInterval = options.pollInterval ?? 100;
    this.startTimeout = options.startTimeout ?? 30_000;
    this.timing = groupTiming(config);
    if (this.startFrom !== 'latest' && this.startFrom !== 'earliest') {
      throw new TypeError(`fromKafka: startFrom must be 'latest' or 'earliest', not ${JSON.stringify(this.startFrom)}`);
    }
  }

  /** What the elements are made of (not the group: a job may move to another group and keep its state). */
  override params(): Record<string, unknown> {
    return { topic: this.topic, keys: this.keys, decode: this.decodeName };
  }

  /**
   * Emit what these messages of one partition (in offset order) become, each emission through
   * `deliver`; between emissions, stop early when `keepGoing()` turns false.
   */
  protected abstract deliverMessages(part: PartitionState, messages: KafkaMessage[], keepGoing: () => boolean): Promise<void>;

  /** What one message becomes (throws if it cannot be decoded). */
  decodeMessage(m: KafkaMessage, partition: number): unknown {
    const value = this.decodeValue(m, this.topic, partition);
    return this.keys ? recordOf(m, this.topic, partition, value, this.bytesKey) : value;
  }

  /** How many messages `deliverMessages` gets at most. */
  protected get sliceSize(): number {
    return Infinity;
  }

  // ---- Seekable and the job's hooks ----

  position(): KafkaPosition {
    return this.assignment.position();
  }

  seek(position: KafkaPosition): void {
    this.assignment.seek(checkPosition(position, this.topic));
  }

  /** A checkpoint holding `position` is durable: the group may now say the same (for lag monitoring and jobs restarted without checkpoints). */
  override async checkpointCommitted(position: unknown): Promise<void> {
    const pos = checkPosition(position, this.topic);
    if (pos.partitions.length === 0) return;
    try {
      if (this.membership.phase === 'member') await this.commitMine(this.client!.consumer, pos);
      // Tasks: each partition's next owner restores its task's checkpoint and commits from there;
      // joining the running group as a temporary member would make every member rebalance twice.
      else if (this.membership.phase === 'stopped' && this.tasks !== undefined) return;
      // A group that a crashed member still holds lets a new member in once that session expired.
      else if (this.membership.phase === 'stopped') await commitAsTemporaryMember(this.kafka, this.config, this.topic, pos.partitions, this.timing.sessionTimeout + 5_000);
      // Joining: commit once joined. Leaving: once left (a second member now would make the
      // group rebalance under us).
      else this.pendingCheckpointCommit = pos;
    } catch (e) {
      // A rebalance began under the commit: try again once rejoined, for the partitions still ours.
      if (this.membership.phase === 'joining' || (this.membership.phase === 'member' && isRebalance(e))) this.pendingCheckpointCommit ??= pos;
      // The checkpoint, not the group, decides where a job restarts: a failed group commit only delays lag reports.
      else log('warn', 'could not commit checkpoint offsets to the Kafka group', { source: this.id, error: errorText(e) });
    }
  }

  private async commitMine(consumer: Consumer, pos: KafkaPosition): Promise<void> {
    // Partitions moved to another member are theirs to commit: ours would move their offsets back.
    const mine = pos.partitions.filter((p) => this.assignment.has(p.partition));
    if (mine.length > 0) await consumer.commitOffsets(mine.map((p) => ({ topic: this.topic, ...p })));
  }

  /** The next offset to read in `partition`, while it is assigned and its start is known. */
  nextOffsetOf(partition: number): string | undefined {
    return this.assignment.get(partition)?.next;
  }

  /** A partitioned job lost this partition's task to another member: stop reading it until the group assigns it anew. */
  dropPartition(partition: number): void {
    this.assignment.drop(partition);
    this.commits?.forget(partition);
    this.progress?.forget(partition);
  }

  /** A commit that waited for a join or a leave. */
  private async commitPending(): Promise<void> {
    const pending = this.pendingCheckpointCommit;
    this.pendingCheckpointCommit = undefined;
    if (pending !== undefined) await this.checkpointCommitted(pending);
  }

  // ---- running ----

  protected override onStop(): void {
    this.end?.stop();
  }

  /** Connect, join the group, read until stopped or failed, then leave. */
  protected async run(): Promise<void> {
    const brokers = checkGroupConfig(this.config, this.topic);
    const ended = new Promise<void>((resolve, reject) => (this.end = { stop: resolve, fail: reject }));
    ended.catch(() => undefined); // observed below; a failure before that must not count as unhandled
    if (this.stopped) return;
    const consumer = groupConsumer(this.kafka, this.config, this.pollInterval, this.tasks?.group?.assigner);
    const admin = this.kafka.admin();
    this.client = { consumer, admin };
    this.membership.enter('joining');
    try {
      const topics = this.tasks?.group?.topics ?? [this.topic];
      await connectToGroup({ config: this.config, consumer, admin, topic: this.topic, topics, brokers, startFrom: this.startFrom, timeoutMs: this.startTimeout });
      const commit: CommitFn = (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic: this.topic, ...o })));
      this.commits = new CommitTracker(commit, this.id, () => this.membership.phase === 'member');
      this.membership.watch(consumer, this.topic, { joined: (assigned) => this.assign(consumer, assigned), fatal: (e) => this.die(e) });
      if (this.stopped) return; // while connecting
      const running = consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => (this.inBatch = this.onBatch(payload)),
      });
      running.catch((e: unknown) => this.die(e));
      await ended;
      await this.finish(consumer);
    } finally {
      this.membership.unwatch();
      await this.leave(consumer, admin);
    }
  }

  /** Graceful stop: no more fetching, let the graph finish what it holds, commit what it finished. */
  private async finish(consumer: Consumer): Promise<void> {
    try {
      consumer.pause([{ topic: this.topic }]);
    } catch {
      // kafkajs between a crash and its restart has no group to pause, and fetches nothing.
    }
    await this.inBatch;
    await drain(this);
    await this.commits?.close();
  }

  /**
   * From here on the assignment (the position a final checkpoint records) no longer changes. The
   * group learns at once that we left (kafkajs sends LeaveGroup), so a successor need not wait for
   * our session to expire.
   */
  private async leave(consumer: Consumer, admin: Admin): Promise<void> {
    this.membership.enter('leaving');
    this.end = undefined;
    await this.commits?.close();
    this.commits = undefined;
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    this.client = undefined;
    this.membership.enter('stopped');
    await this.commitPending();
  }

  private die(e: unknown): void {
    if (this.membership.phase === 'leaving' || this.membership.phase === 'stopped') return;
    this.membership.enter('leaving');
    this.end?.fail(e instanceof Error ? e : new Error(String(e)));
  }

  /** A (re)join: the assignment decides where each partition reads next; commits follow. */
  private assign(consumer: Consumer, assigned: number[]): void {
    const seek = (partition: number, offset: string) => consumer.seek({ topic: this.topic, partition, offset });
    const { kept, revoked, fresh } = this.assignment.assign(assigned, seek);
    for (const p of revoked) {
      this.commits?.forget(p.partition);
      this.progress?.forget(p.partition);
    }
    if (revoked.length > 0) this.tasks?.revoked(revoked);
    this.membership.enter('member');
    for (const p of kept) this.commits?.recommit(p);
    log('info', 'kafka partitions assigned', { source: this.id, topic: this.topic, partitions: assigned });
    if (fresh.length > 0) {
      const admin = this.client!.admin;
      const fromGroup = (partitions: number[]) => startOffsets(admin, this.config.groupId, this.topic, partitions, this.startFrom);
      const lookup = this.tasks === undefined ? fromGroup : taskStarts(this.tasks, fromGroup);
      this.assignment.lookUpStarts(fresh, lookup, seek, () => this.stopped || this.client?.admin !== admin, this.id);
    }
    void this.commitPending();
  }

  /** Consumer lag per assigned partition (messages not yet read, as of each partition's last fetch). */
  consumerLag(): { topic: string; partition: number; lag: number }[] {
    return this.assignment.lag().map((l) => ({ topic: this.topic, ...l }));
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const part = this.assignment.get(batch.partition);
    if (part === undefined) return;
    if (part.next === undefined && !(await this.awaitStart(part, heartbeat))) return;
    // A batch fetched before our seek landed (isStale), or for a partition moved meanwhile: kafkajs fetches again.
    const current = () => !this.stopped && this.membership.phase !== 'leaving' && isRunning() && !isStale() && this.assignment.get(batch.partition) === part;
    if (!current() || part.next === undefined) return;
    const start = part.next;
    part.highWatermark = batch.highWatermark;
    let messages = batch.messages;
    // Already emitted (kafkajs re-reads from the group's offset after a rejoin until the seek lands).
    if (messages.length > 0 && offsetBefore(messages[0].offset, start)) messages = messages.filter((m) => !offsetBefore(m.offset, start));
    // Keep the group membership alive while the graph holds an emission back for long; when a
    // heartbeat says the group is rebalancing, hand the batch back after the current emission so
    // kafkajs can rejoin without making the other members wait (the rest is fetched again).
    let rebalancing = false;
    const beat = setInterval(() => void heartbeat().catch(() => void (rebalancing = true)), this.timing.heartbeatInterval);
    try {
      const keepGoing = () => current() && !rebalancing;
      for (let i = 0; i < messages.length && keepGoing(); i += this.sliceSize) {
        await this.deliverMessages(part, messages.slice(i, i + this.sliceSize), keepGoing);
      }
      if (current() && !rebalancing) {
        // Offsets after the last message (transaction markers) need no reading either.
        const after = nextOffset(batch.lastOffset());
        if (part.next === undefined || offsetBefore(part.next, after)) part.next = after;
      }
    } catch (e) {
      this.die(e);
    } finally {
      clearInterval(beat);
      // Always tell kafkajs where we are, also when every message was a repeat: otherwise it
      // fetches the same repeats again and again.
      if (part.next !== undefined && this.assignment.get(batch.partition) === part) resolveOffset((BigInt(part.next) - 1n).toString());
    }
  }

  /**
   * Wait until the start of `part` is known (looked up, or its task restored from a checkpoint),
   * staying in the group meanwhile. False if the group rebalances first: the batch goes back at
   * once so that this member rejoins, since a restore may wait for the previous owner's handover,
   * which a rebalance stuck on this member would hold up (the lookup goes on meanwhile).
   */
  private async awaitStart(part: PartitionState, heartbeat: () => Promise<void>): Promise<boolean> {
    let rebalancing: () => void = () => undefined;
    const interrupted = new Promise<false>((resolve) => (rebalancing = () => resolve(false)));
    const beat = setInterval(() => void heartbeat().catch(rebalancing), this.timing.heartbeatInterval);
    try {
      return await Promise.race([(part.ready ?? Promise.resolve()).then(() => true), interrupted]);
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * Under a job publishing progress: the batch whose elements will share one reference counter
   * (see ProgressBatch); pass it to `deliver` for each, and close it after the last.
   */
  protected openProgress(part: PartitionState, first: string): ProgressBatch | undefined {
    return this.gate === undefined ? undefined : this.progress?.open(part.partition, first);
  }

  /**
   * Emit `element` (NOTHING: only dead letters) for the messages `first`..`last` of `part`, and
   * move the position past them once the emit settled. Alone, the element carries a RefCounter that
   * commits `last + 1` when the graph is done with it; under a job publishing progress, the
   * counter of its `batch`.
   */
  protected async deliver(part: PartitionState, element: T | typeof NOTHING, letters: Letter[], first: string, last: string, batch?: ProgressBatch): Promise<void> {
    const end = nextOffset(last);
    const ref = batch !== undefined ? batch.ref : this.gate === undefined ? this.commits?.track(part.partition, end) : undefined;
    const meta: KafkaMetaEntry[] = [{ ref, topic: this.topic, partition: part.partition, offset: first, lastOffset: last }];
    this.letters = letters;
    this.delivering = part.partition;
    try {
      await this.push(element as T, () => void (part.next = end), meta);
    } finally {
      this.letters = [];
    }
    if (batch !== undefined) batch.settled(end);
    else ref?.release(); // the source's own hold: the count now falls to zero when the graph lets go
  }

  /**
   * Dead letters of undecodable messages leave inside the same emission as the rest of their
   * batch, through this source's error policy: the job's gate covers them, and the batch's
   * reference is held until the dead-letter write is acknowledged.
   */
  override emit(x: T, meta?: Meta): Emitted {
    const letters = this.letters;
    if (letters.length === 0) return (x as unknown) === NOTHING ? undefined : this.forward(x, meta);
    this.letters = [];
    const results: Emitted[] = letters.map((l) => this.fail(l.error, l.element, meta));
    if ((x as unknown) !== NOTHING) results.push(this.forward(x, meta));
    return joinEmitted(results);
  }

  /** Downstream, or under a partitioned job into the task of the partition being delivered. */
  private forward(x: T, meta: Meta | undefined): Emitted {
    return this.tasks === undefined ? super.emit(x, meta) : this.tasks.emit(this.delivering, x, meta);
  }
}

export type { PartitionState, Letter };
