import { commitsWithCheckpoints, log, type CommitsWithCheckpoints, type PipelineDescription } from '../core/index.js';
import { pruneCheckpoints, writeCheckpoint, type CheckpointStore, type WriterLease } from '../checkpoint/index.js';
import type { KafkaPosition } from '../kafka/offsets.js';
import type { KafkaSourceBase } from '../kafka/source.js';
import { encodeStateNow, writeWithin, type Capture } from './checkpointer.js';
import type { TaskGraph } from './task-graph.js';

/** One Kafka source of the job, with its node id (the key of its position in checkpoints). */
export interface Input {
  readonly source: KafkaSourceBase<any>;
  readonly id: string;
}

/** What every task of one job writes with: the job, its pipeline, and its checkpoint settings. */
export interface TaskContext {
  readonly job: string;
  readonly description: PipelineDescription;
  readonly fingerprint: string;
  readonly keep: number;
  readonly writeTimeoutMs: number;
}

/** One task at a cut: its checkpoint, and what its exactly-once sinks publish once that commits. */
export interface TaskCapture extends Capture {
  publish: { node: CommitsWithCheckpoints; state: unknown }[];
  /** What the task had seen (see `PartitionTask.mark`). */
  mark: string | undefined;
  /** Nothing changed since the task's last durable checkpoint, which is this one: nothing to write. */
  unchanged?: number;
}

/**
 * One input partition's task (partition p of every source): its copy of the graph, its scope of
 * the store, its lease there; its captures and their writes.
 */
export class PartitionTask {
  /** Its checkpoint writes, one after another (the store numbers them). */
  writes: Promise<unknown> = Promise.resolve();
  /** Revoked or finished: captured for the last time; older captures are not written any more. */
  closed = false;
  /** The mark of the newest checkpoint that holds this task's state (written, or restored), and its number. */
  private durable: { mark: string; checkpoint: number } | undefined;

  constructor(
    readonly name: string,
    readonly partition: number,
    readonly store: CheckpointStore,
    readonly lease: WriterLease,
    readonly graph: TaskGraph,
    /** Per source id, the next offset its restored checkpoint recorded. */
    readonly start: ReadonlyMap<string, string>,
    private readonly context: TaskContext,
  ) {
    // Counted to tell an unchanged state (a caught-up task's) without encoding it.
    for (const { node } of graph.stateful) node.enableStats();
  }

  /** The state as restored from checkpoint `checkpoint` is durable (nothing to write until it changes). */
  restoredFrom(checkpoint: number, inputs: readonly Input[]): void {
    const mark = this.mark(this.positions(inputs));
    if (mark !== undefined) this.durable = { mark, checkpoint };
  }

  /**
   * What the task's state is made of, as far as it can be told without looking at the state: the
   * elements its stateful nodes took in, and the sources' positions. None (always written) while
   * a timer may change a state with no element arriving, or for exactly-once sinks (their state
   * changes when a checkpoint commits).
   */
  private mark(sources: Record<string, KafkaPosition>): string | undefined {
    if (this.graph.committing.length > 0 || this.graph.nodes().some((n) => n.timersPending)) return undefined;
    let elements = 0;
    for (const { node } of this.graph.stateful) elements += node.stats!.elementsIn;
    return `${elements} ${JSON.stringify(sources)}`;
  }

  /**
   * Each source's next offset in the task's partition (`revoked`: the revoking source's, read at
   * the cut); a source that has not got the partition yet keeps the offset the task was restored with.
   */
  private positions(inputs: readonly Input[], revoked?: { input: Input; next: string | undefined }): Record<string, KafkaPosition> {
    const sources: Record<string, KafkaPosition> = {};
    for (const input of inputs) {
      const offset = (input === revoked?.input ? revoked.next : input.source.nextOffsetOf(this.partition)) ?? this.start.get(input.id);
      if (offset !== undefined) sources[input.id] = { kind: 'kafka', topic: input.source.topic, partitions: [{ partition: this.partition, offset }] };
    }
    return sources;
  }

  /**
   * Synchronous: must run at a cut. Undefined while no source position is known yet; `unchanged`
   * (and no state encoded) when nothing changed since its last durable checkpoint.
   */
  capture(inputs: readonly Input[], revoked?: { input: Input; next: string | undefined }): TaskCapture | undefined {
    const sources = this.positions(inputs, revoked);
    if (Object.keys(sources).length === 0) return undefined;
    const mark = this.mark(sources);
    if (mark !== undefined && mark === this.durable?.mark) return { sources, nodes: {}, publish: [], mark, unchanged: this.durable.checkpoint };
    const nodes: Capture['nodes'] = {};
    const publish: TaskCapture['publish'] = [];
    for (const { node, id } of this.graph.stateful) {
      const state = node.snapshot();
      nodes[id] = { kind: node.kind, state: encodeStateNow(state, `node "${id}" (${node.kind}) of task ${this.name}`) };
      // Pre-committed parts are never changed once cut: the snapshot itself can wait for the commit.
      if (commitsWithCheckpoints(node)) publish.push({ node, state });
    }
    return { sources, nodes, publish, mark };
  }

  /**
   * After the task's previous write; abandoned past the write timeout, so that a hung write never
   * holds up its handover. A handover does not prune (`prune` false): the next owner does, and the
   * task's new owner waits for this write. Once the checkpoint is committed, the task's
   * exactly-once sinks publish what it pre-committed, after a last check that this member still
   * owns the task: a zombie's commit never counts, so its parts must never appear (a successor
   * judges again which commits count once its claim is visible, so a commit that passed this
   * check counts for it: see checkpoint/README.md). An unchanged capture writes nothing.
   */
  write(capture: TaskCapture, prune = true): Promise<{ checkpoint: number; bytes: number }> {
    if (capture.unchanged !== undefined) return Promise.resolve({ checkpoint: capture.unchanged, bytes: 0 });
    const { job, description, fingerprint, keep, writeTimeoutMs } = this.context;
    const write = this.writes
      .catch(() => undefined)
      .then(async () => {
        const { result: checkpoint, bytes } = await writeWithin(this.store, writeTimeoutMs, `checkpoint of task ${this.name} to ${this.store.url}`, async (store, guard) => {
          const n = await writeCheckpoint(store, { job, sources: capture.sources, nodes: capture.nodes, pipeline: { description, fingerprint } }, { lease: this.lease });
          if (capture.publish.length > 0) {
            await this.lease.check();
            guard();
            for (const { node, state } of capture.publish) await node.checkpointCommitted(state);
          }
          // Committed already: a failed clean-up is retried after the next checkpoint.
          const pruned = prune ? pruneCheckpoints(store, keep) : undefined;
          await pruned?.catch((e: unknown) => log('warn', 'could not prune old task checkpoints', { job, task: this.name, error: e instanceof Error ? e.message : String(e) }));
          return n;
        });
        if (capture.mark !== undefined) this.durable = { mark: capture.mark, checkpoint };
        return { checkpoint, bytes };
      });
    this.writes = write;
    return write;
  }

  /** No more writes: wait for the last one, stop the graph's timers, give the lease up. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writes.catch(() => undefined);
    for (const n of this.graph.nodes()) n.stopTimers();
    await this.lease.release().catch((e: unknown) => log('warn', 'could not release a task lease; its next owner waits for it to expire', { job: this.context.job, task: this.name, error: String(e) }));
  }
}
