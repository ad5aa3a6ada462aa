import { commitsWithCheckpoints, describe, drain, fingerprintOf, isStateful, log, nodeIds, withTimeout, type CommitsWithCheckpoints, type Emitted, type Meta, type PipelineDescription, type Stream } from '../core/index.js';
import {
  acquireWriter,
  assertSafeName,
  CheckpointDamagedError,
  loadCheckpoint,
  PipelineChangedError,
  pruneCheckpoints,
  scopedStore,
  taskScope,
  writeCheckpoint,
  WriterFencedError,
  type CheckpointStore,
  type WriterLease,
} from '../checkpoint/index.js';
import type { PartitionState } from '../kafka/assignment.js';
import { checkPosition, type KafkaPosition } from '../kafka/offsets.js';
import type { KafkaSourceBase } from '../kafka/source.js';
import type { PartitionTasks } from '../kafka/tasks.js';
import { encodeStateNow, restoreStates, writeWithin, type Capture } from './checkpointer.js';
import type { CutGate } from './cut.js';
import { downstreamOf, TaskGraph } from './task-graph.js';

export interface PartitionedOptions {
  keep: number;
  strict: boolean;
  allowPipelineChange: boolean;
  freshIfAllDamaged: boolean;
  /** A task's writer lease: a crashed member blocks its tasks' new owner this long at most. */
  leaseMs: number;
  /** How long a new owner waits for the previous one to checkpoint and release a task. */
  waitMs: number;
  /** A task's checkpoint write is abandoned after this long (the job's `writeTimeoutMs`). */
  writeTimeoutMs: number;
  /**
   * This member must stop: a task cannot be restored (damaged checkpoints in strict mode, a
   * changed pipeline).
   */
  fail: (error: Error) => void;
}

/** One input partition's task: its copy of the graph, its scope of the store, its lease there. */
interface Task {
  readonly partition: number;
  readonly store: CheckpointStore;
  readonly lease: WriterLease;
  readonly graph: TaskGraph;
  /** The next offset its restored checkpoint recorded, if any. */
  readonly start: string | undefined;
  /** Its checkpoint writes, one after another (the store numbers them). */
  writes: Promise<unknown>;
  /** Revoked or finished: captured for the last time; older captures are not written any more. */
  closed: boolean;
}

/** One task at a cut: its checkpoint, and what its exactly-once sinks publish once that commits. */
interface TaskCapture extends Capture {
  publish: { node: CommitsWithCheckpoints; state: unknown }[];
}

export interface PartitionedCapture {
  /** The positions of every task captured, as one Kafka position (for read-your-writes and group commits). */
  sources: Record<string, unknown>;
  tasks: { task: Task; capture: TaskCapture }[];
}

/**
 * A partitioned job's checkpoints: each partition assigned to this member is a task with its own
 * copy of the graph (TaskGraph) and its own checkpoints under `tasks/<topic>-<partition>/`,
 * written only under that task's writer lease. The Kafka source reports assignments and revokes
 * (PartitionTasks); the job takes and writes checkpoints of all tasks at once, as for a plain job.
 */
export class PartitionedTasks implements PartitionTasks {
  readonly description: PipelineDescription;
  readonly fingerprint: string;
  /** Set by the job: revoked tasks are captured at a consistent cut. */
  gate: CutGate | undefined;
  private readonly ids: Map<Stream<any>, string>;
  private readonly sourceId: string;
  private readonly templates: Stream<any>[];
  private readonly tasks = new Map<number, Task>();
  /** Tasks being restored, each with what stops its wait for the previous owner's lease once revoked. */
  private readonly opening = new Map<number, { task: Promise<Task>; abort: AbortController }>();
  private readonly wanted = new Set<number>();
  private readonly handovers = new Set<Promise<void>>();

  constructor(
    private readonly root: CheckpointStore,
    private readonly job: string,
    private readonly source: KafkaSourceBase<any>,
    private readonly options: PartitionedOptions,
  ) {
    assertSafeName(job, 'job name');
    assertSafeName(taskScope(source.topic, 0).slice(0, -1), 'task scope');
    this.ids = nodeIds(source);
    for (const [node, id] of this.ids) if (isStateful(node)) assertSafeName(id, 'node id');
    this.description = describe(source);
    this.fingerprint = fingerprintOf(this.description);
    this.sourceId = this.ids.get(source)!;
    this.templates = downstreamOf(source);
    new TaskGraph(source, this.templates, this.ids); // fails now, not at the first assignment, if the graph cannot be copied
    source.tasks = this;
  }

  // ---- the Kafka source's side ----

  async assigned(partitions: readonly number[]): Promise<Map<number, string>> {
    const starts = new Map<number, string>();
    await Promise.all(
      partitions.map(async (p) => {
        this.wanted.add(p);
        const task = this.tasks.get(p) ?? (await this.open(p).catch((e: unknown) => this.unrestorable(e)));
        if (task.start !== undefined) starts.set(p, task.start);
      }),
    );
    return starts;
  }

  revoked(parts: readonly PartitionState[]): void {
    for (const s of parts) {
      this.wanted.delete(s.partition);
      this.opening.get(s.partition)?.abort.abort(new Error(`task ${this.source.topic}-${s.partition} was revoked while it waited for its lease`));
    }
    const leaving = parts.flatMap((state) => {
      const task = this.tasks.get(state.partition);
      return task === undefined ? [] : [{ state, task }];
    });
    if (leaving.length === 0) return;
    const handover = this.handOver(leaving).finally(() => this.handovers.delete(handover));
    this.handovers.add(handover);
  }

  emit(partition: number, x: unknown, meta: Meta): Emitted {
    const task = this.tasks.get(partition);
    if (task === undefined) throw new Error(`partitioned job "${this.job}": an element of ${this.source.topic}/${partition} arrived, but this member holds no task for that partition`);
    return task.graph.emit(x, meta);
  }

  // ---- the job's side ----

  /** Tasks take their leases when their partitions are assigned, not at start. */
  async acquire(): Promise<void> {}

  /** Tasks restore when their partitions are assigned, not at start. */
  async restore(): Promise<null> {
    return null;
  }

  /** Synchronous: must run at a cut. Tasks without a known position yet (still restoring) have nothing new. */
  capture(): PartitionedCapture {
    const position = this.source.position();
    const tasks: PartitionedCapture['tasks'] = [];
    for (const task of this.tasks.values()) {
      const capture = this.captureTask(task, position.partitions.find((p) => p.partition === task.partition)?.offset);
      if (capture !== undefined) tasks.push({ task, capture });
    }
    const partitions = tasks.flatMap((t) => (t.capture.sources[this.sourceId] as KafkaPosition).partitions);
    return { sources: { [this.sourceId]: { kind: 'kafka', topic: this.source.topic, partitions } }, tasks };
  }

  /** Write every captured task (within `timeoutMs`); the result names the highest task checkpoint written. */
  write(c: PartitionedCapture, timeoutMs: number): Promise<{ checkpoint: number; bytes: number }> {
    return withTimeout(this.writeAll(c), timeoutMs, () => `checkpoint of ${c.tasks.length} task(s) to ${this.root.url} did not finish within ${timeoutMs} ms`);
  }

  private async writeAll(c: PartitionedCapture): Promise<{ checkpoint: number; bytes: number }> {
    // A task revoked since this capture was written at its revoke, from a later cut.
    const open = c.tasks.filter((t) => !t.task.closed);
    const written = (
      await Promise.all(
        open.map(({ task, capture }) =>
          this.writeTask(task, capture).catch((e: unknown) => {
            if (!(e instanceof WriterFencedError)) throw e;
            this.lost(task.partition, e);
            return undefined;
          }),
        ),
      )
    ).filter((w): w is { checkpoint: number; bytes: number } => w !== undefined);
    const partitions = open.filter((t) => !t.task.closed).flatMap((t) => (t.capture.sources[this.sourceId] as KafkaPosition).partitions);
    await this.source.checkpointCommitted({ kind: 'kafka', topic: this.source.topic, partitions });
    return { checkpoint: Math.max(0, ...written.map((w) => w.checkpoint)), bytes: written.reduce((a, w) => a + w.bytes, 0) };
  }

  /** Wait for every task's asynchronous nodes. */
  async drain(): Promise<void> {
    await drain([...this.tasks.values()].map((t) => t.graph.inlet));
  }

  /** After the final checkpoint (or a failure): give every task up, so their next owners start at once. */
  async release(): Promise<void> {
    await Promise.all(this.handovers);
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((t) => this.close(t)));
  }

  // ---- tasks ----

  /**
   * Another member took a task this one still runs (this one was paused, or dropped from the group,
   * past its lease): a zombie. Drop the task without writing it, and read its partition again
   * only once the group assigns it anew, restored from the new owner's checkpoint (as Kafka
   * Streams closes a migrated task as a zombie and rejoins).
   */
  private lost(partition: number, e: WriterFencedError): void {
    const task = this.tasks.get(partition);
    if (task === undefined || task.closed) return;
    log('warn', 'task taken over by another member; dropped until the group assigns it again', { job: this.job, task: `${this.source.topic}-${partition}`, error: e.message });
    this.tasks.delete(partition);
    task.closed = true;
    this.source.dropPartition(partition);
    void this.close(task);
  }

  /** Retrying cannot help a task whose checkpoint the running pipeline refuses: fail the member. */
  private unrestorable(e: unknown): never {
    if (e instanceof PipelineChangedError || e instanceof CheckpointDamagedError) this.options.fail(e);
    throw e;
  }

  private async open(partition: number): Promise<Task> {
    for (;;) {
      const task = this.tasks.get(partition);
      if (task !== undefined) return task;
      const opening = this.opening.get(partition);
      if (opening === undefined) break;
      if (!opening.abort.signal.aborted) return opening.task;
      await opening.task.catch(() => undefined); // revoked while restoring, assigned again: it may hold the lease by now
    }
    const abort = new AbortController();
    const task = this.restoreTask(partition, abort.signal).finally(() => this.opening.delete(partition));
    this.opening.set(partition, { task, abort });
    return task;
  }

  private async restoreTask(partition: number, signal: AbortSignal): Promise<Task> {
    const name = `${this.source.topic}-${partition}`;
    const store = scopedStore(this.root, taskScope(this.source.topic, partition));
    const started = performance.now();
    const lease = await acquireWriter(store, { leaseMs: this.options.leaseMs, waitMs: this.options.waitMs, onLost: (e) => this.lost(partition, e), signal });
    try {
      const graph = new TaskGraph(this.source, this.templates, this.ids);
      for (const node of graph.committing) node.bindToCheckpoints(name);
      const loaded = await loadCheckpoint(store, {
        strict: this.options.strict,
        pipeline: { description: this.description, fingerprint: this.fingerprint },
        allowPipelineChange: this.options.allowPipelineChange,
        freshIfAllDamaged: this.options.freshIfAllDamaged,
        onWarning: (message) => log('warn', message, { job: this.job, task: name }),
      });
      let start: string | undefined;
      if (loaded !== null) {
        restoreStates(graph.stateful.map(({ node, id }) => [node, id] as [Stream<any>, string]), loaded, { job: this.job, task: name });
        const position = loaded.sources[this.sourceId];
        start = position === undefined ? undefined : checkPosition(position, this.source.topic).partitions.find((p) => p.partition === partition)?.offset;
      }
      const task: Task = { partition, store, lease, graph, start, writes: Promise.resolve(), closed: false };
      log('info', 'task restored', { job: this.job, task: name, checkpoint: loaded?.checkpoint ?? null, epoch: lease.epoch, ms: Math.round(performance.now() - started) });
      if (this.wanted.has(partition)) this.tasks.set(partition, task);
      else {
        await this.close(task);
        log('info', 'task revoked', { job: this.job, task: name, ms: 0 }); // while it was restoring
      }
      return task;
    } catch (e) {
      await lease.release().catch(() => undefined);
      throw e;
    }
  }

  /** Revoked: capture at the next cut (no more elements reach these tasks after it), write, release. */
  private async handOver(leaving: { state: PartitionState; task: Task }[]): Promise<void> {
    const started = performance.now();
    const take = () =>
      leaving.map(({ state, task }) => {
        this.tasks.delete(task.partition);
        const capture = this.captureTask(task, state.next);
        task.closed = true;
        return { task, capture };
      });
    const captured = this.gate === undefined ? take() : await this.gate.at(take);
    await Promise.all(
      captured.map(async ({ task, capture }) => {
        const name = `${this.source.topic}-${task.partition}`;
        try {
          if (capture !== undefined) await this.writeTask(task, capture, false);
        } catch (e) {
          // Fenced: the new owner took the task first and goes on from the checkpoint before this one.
          log(e instanceof WriterFencedError ? 'info' : 'warn', 'revoked task not checkpointed', { job: this.job, task: name, error: e instanceof Error ? e.message : String(e) });
        }
        await this.close(task);
        log('info', 'task revoked', { job: this.job, task: name, ms: Math.round(performance.now() - started) });
      }),
    );
  }

  private captureTask(task: Task, next: string | undefined): TaskCapture | undefined {
    if (next === undefined) return undefined;
    const nodes: Capture['nodes'] = {};
    const publish: TaskCapture['publish'] = [];
    for (const { node, id } of task.graph.stateful) {
      const state = node.snapshot();
      nodes[id] = { kind: node.kind, state: encodeStateNow(state, `node "${id}" (${node.kind}) of task ${this.source.topic}-${task.partition}`) };
      // Pre-committed parts are never changed once cut: the snapshot itself can wait for the commit.
      if (commitsWithCheckpoints(node)) publish.push({ node, state });
    }
    const position: KafkaPosition = { kind: 'kafka', topic: this.source.topic, partitions: [{ partition: task.partition, offset: next }] };
    return { sources: { [this.sourceId]: position }, nodes, publish };
  }

  /**
   * After the task's previous write; abandoned past the write timeout, so that a hung write never
   * holds up its handover. A handover does not prune (`prune` false): the next owner does, and the
   * task's new owner waits for this write. Once the checkpoint is committed, the task's
   * exactly-once sinks publish what it pre-committed, after a last check that this member still
   * owns the task: a zombie's commit never counts, so its parts must never appear (the owner's
   * claim is written before it judges which commits count, so a commit that passes this check
   * counts: see checkpoint/README.md).
   */
  private writeTask(task: Task, capture: TaskCapture, prune = true): Promise<{ checkpoint: number; bytes: number }> {
    const name = `${this.source.topic}-${task.partition}`;
    const write = task.writes
      .catch(() => undefined)
      .then(async () => {
        const { result: checkpoint, bytes } = await writeWithin(task.store, this.options.writeTimeoutMs, `checkpoint of task ${name} to ${task.store.url}`, async (store, guard) => {
          const n = await writeCheckpoint(store, { job: this.job, sources: capture.sources, nodes: capture.nodes, pipeline: { description: this.description, fingerprint: this.fingerprint } }, { lease: task.lease });
          if (capture.publish.length > 0) {
            await task.lease.check();
            guard();
            for (const { node, state } of capture.publish) await node.checkpointCommitted(state);
          }
          // Committed already: a failed clean-up is retried after the next checkpoint.
          const pruned = prune ? pruneCheckpoints(store, this.options.keep) : undefined;
          await pruned?.catch((e: unknown) => log('warn', 'could not prune old task checkpoints', { job: this.job, task: name, error: e instanceof Error ? e.message : String(e) }));
          return n;
        });
        return { checkpoint, bytes };
      });
    task.writes = write;
    return write;
  }

  private async close(task: Task): Promise<void> {
    task.closed = true;
    await task.writes.catch(() => undefined);
    for (const n of task.graph.nodes()) n.stopTimers();
    await task.lease.release().catch((e: unknown) => log('warn', 'could not release a task lease; its next owner waits for it to expire', { job: this.job, task: `${this.source.topic}-${task.partition}`, error: String(e) }));
  }
}
