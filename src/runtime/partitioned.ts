import { randomBytes } from 'node:crypto';
import { describe, drain, fingerprintOf, isStateful, log, nodeIds, withTimeout, type PipelineDescription, type Stream } from '../core/index.js';
import {
  acquireWriter,
  assertSafeName,
  CheckpointDamagedError,
  loadCheckpoint,
  PipelineChangedError,
  scopedStore,
  taskScope,
  WriterFencedError,
  type CheckpointStore,
} from '../checkpoint/index.js';
import type { PartitionState } from '../kafka/assignment.js';
import { coPartitionedAssigner } from '../kafka/co-assigner.js';
import { checkPosition, type KafkaPosition } from '../kafka/offsets.js';
import type { KafkaSourceBase } from '../kafka/source.js';
import type { PartitionTasks } from '../kafka/tasks.js';
import { restoreStates, type Capture } from './checkpointer.js';
import type { CutGate } from './cut.js';
import { PartitionTask, type Input, type TaskCapture, type TaskContext } from './partition-task.js';
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
  /** Checked before any task is taken (the co-partitioning of joins across topics). */
  check?: () => Promise<void>;
  /**
   * This member must stop: a task cannot be restored (damaged checkpoints in strict mode, a
   * changed pipeline).
   */
  fail: (error: Error) => void;
}

export interface PartitionedCapture {
  /** The positions of every task captured, as one Kafka position (for read-your-writes and group commits). */
  sources: Record<string, unknown>;
  tasks: { task: PartitionTask; capture: TaskCapture }[];
}

/**
 * A partitioned job's checkpoints: each partition assigned to this member is a task with its own
 * copy of the graph (TaskGraph) and its own checkpoints under `tasks/<topic>-<partition>/`,
 * written only under that task's writer lease. The Kafka source reports assignments and revokes
 * (PartitionTasks); the job takes and writes checkpoints of all tasks at once, as for a plain job.
 * A job of several co-partitioned topics makes partition p of every topic one task
 * (`tasks/<topic>+<topic>-<p>/`): its sources' consumers share the group with an assigner that
 * gives one process partition p of all of them, and a task leaves when any of them loses it.
 */
export class PartitionedTasks {
  readonly description: PipelineDescription;
  readonly fingerprint: string;
  /** Set by the job: revoked tasks are captured at a consistent cut. */
  gate: CutGate | undefined;
  private readonly ids: Map<Stream<any>, string>;
  private readonly inputs: Input[];
  /** Tasks are named `<name>-<partition>`: the topic, or the topics joined by `+`. */
  private readonly name: string;
  private readonly templates: Stream<any>[];
  private readonly tasks = new Map<number, PartitionTask>();
  /** Tasks being restored, each with what stops its wait for the previous owner's lease once revoked. */
  private readonly opening = new Map<number, { task: Promise<PartitionTask>; abort: AbortController }>();
  private readonly wanted = new Set<number>();
  private readonly handovers = new Set<Promise<void>>();
  private readonly context: TaskContext;

  constructor(
    private readonly root: CheckpointStore,
    private readonly job: string,
    sources: readonly KafkaSourceBase<any>[],
    private readonly options: PartitionedOptions,
  ) {
    assertSafeName(job, 'job name');
    this.name = sources.map((s) => s.topic).join('+');
    assertSafeName(taskScope(this.name, 0).slice(0, -1), 'task scope');
    const roots = sources.length === 1 ? sources[0] : sources;
    this.ids = nodeIds(roots);
    for (const [node, id] of this.ids) if (isStateful(node)) assertSafeName(id, 'node id');
    this.description = describe(roots);
    this.fingerprint = fingerprintOf(this.description);
    this.inputs = sources.map((source) => ({ source, id: this.ids.get(source)! }));
    this.context = { job, description: this.description, fingerprint: this.fingerprint, keep: options.keep, writeTimeoutMs: options.writeTimeoutMs };
    this.templates = downstreamOf(sources);
    new TaskGraph(sources, this.templates, this.ids); // fails now, not at the first assignment, if the graph cannot be copied
    const topics = sources.map((s) => s.topic);
    const instance = randomBytes(8).toString('hex'); // this job instance, to the co-partitioned assigner
    for (const input of this.inputs) {
      const group = sources.length === 1 ? undefined : { topics, assigner: coPartitionedAssigner({ process: instance, topic: input.source.topic }) };
      input.source.tasks = this.sourceSide(input, group);
    }
  }

  // ---- the Kafka sources' side ----

  private sourceSide(input: Input, group: PartitionTasks['group']): PartitionTasks {
    return {
      group,
      assigned: (partitions) => this.assigned(input, partitions),
      revoked: (parts) => this.revoked(input, parts),
      emit: (partition, x, meta) => {
        const task = this.tasks.get(partition);
        if (task === undefined) throw new Error(`partitioned job "${this.job}": an element of ${input.source.topic}/${partition} arrived, but this member holds no task for that partition`);
        return task.graph.emit(x, meta, input.source);
      },
    };
  }

  private async assigned(input: Input, partitions: readonly number[]): Promise<Map<number, string>> {
    const starts = new Map<number, string>();
    await Promise.all(
      partitions.map(async (p) => {
        this.wanted.add(p);
        const task = this.tasks.get(p) ?? (await this.open(p).catch((e: unknown) => this.unrestorable(e)));
        // A task leaves when any source loses its partition, so no source has read it since the restore.
        const start = task.start.get(input.id);
        if (start !== undefined) starts.set(p, start);
      }),
    );
    return starts;
  }

  /** A source lost partitions: their tasks leave this member, so its other sources stop reading them too. */
  private revoked(input: Input, parts: readonly PartitionState[]): void {
    for (const s of parts) {
      this.wanted.delete(s.partition);
      this.opening.get(s.partition)?.abort.abort(new Error(`task ${this.name}-${s.partition} was revoked while it waited for its lease`));
      if (!this.tasks.has(s.partition)) this.dropElsewhere(input, s.partition);
    }
    const leaving = parts.flatMap((state) => {
      const task = this.tasks.get(state.partition);
      return task === undefined ? [] : [{ state, task }];
    });
    if (leaving.length === 0) return;
    const handover = this.handOver(input, leaving).finally(() => this.handovers.delete(handover));
    this.handovers.add(handover);
  }

  /** The other sources read `partition` again only once the group assigns it to them anew (and its task is restored). */
  private dropElsewhere(input: Input | undefined, partition: number): void {
    for (const other of this.inputs) if (other !== input) other.source.dropPartition(partition);
  }

  // ---- the job's side ----

  /** Tasks take their leases when their partitions are assigned, not at start. */
  async acquire(): Promise<void> {
    await this.options.check?.();
  }

  /** Tasks restore when their partitions are assigned, not at start. */
  async restore(): Promise<null> {
    return null;
  }

  /** Synchronous: must run at a cut. Tasks without a known position yet (still restoring) have nothing new. */
  capture(): PartitionedCapture {
    const tasks: PartitionedCapture['tasks'] = [];
    for (const task of this.tasks.values()) {
      const capture = task.capture(this.inputs);
      if (capture !== undefined) tasks.push({ task, capture });
    }
    return { sources: this.positions(tasks), tasks };
  }

  /** The positions of `captured` tasks, one Kafka position per source. */
  private positions(captured: readonly { capture: Capture }[]): Record<string, KafkaPosition> {
    const out: Record<string, KafkaPosition> = {};
    for (const { source, id } of this.inputs) {
      const partitions = captured.flatMap((t) => (t.capture.sources[id] as KafkaPosition | undefined)?.partitions ?? []);
      out[id] = { kind: 'kafka', topic: source.topic, partitions };
    }
    return out;
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
          task.write(capture).catch((e: unknown) => {
            if (!(e instanceof WriterFencedError)) throw e;
            this.lost(task.partition, e);
            return undefined;
          }),
        ),
      )
    ).filter((w): w is { checkpoint: number; bytes: number } => w !== undefined);
    const positions = this.positions(open.filter((t) => !t.task.closed));
    for (const { source, id } of this.inputs) await source.checkpointCommitted(positions[id]);
    return { checkpoint: Math.max(0, ...written.map((w) => w.checkpoint)), bytes: written.reduce((a, w) => a + w.bytes, 0) };
  }

  /** Wait for every task's asynchronous nodes. */
  async drain(): Promise<void> {
    await drain([...this.tasks.values()].flatMap((t) => [...t.graph.inlets.values()]));
  }

  /** After the final checkpoint (or a failure): give every task up, so their next owners start at once. */
  async release(): Promise<void> {
    await Promise.all(this.handovers);
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((t) => t.close()));
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
    log('warn', 'task taken over by another member; dropped until the group assigns it again', { job: this.job, task: `${this.name}-${partition}`, error: e.message });
    this.tasks.delete(partition);
    task.closed = true;
    this.dropElsewhere(undefined, partition);
    void task.close();
  }

  /** Retrying cannot help a task whose checkpoint the running pipeline refuses: fail the member. */
  private unrestorable(e: unknown): never {
    if (e instanceof PipelineChangedError || e instanceof CheckpointDamagedError) this.options.fail(e);
    throw e;
  }

  private async open(partition: number): Promise<PartitionTask> {
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

  private async restoreTask(partition: number, signal: AbortSignal): Promise<PartitionTask> {
    const name = `${this.name}-${partition}`;
    const store = scopedStore(this.root, taskScope(this.name, partition));
    const took = stopwatch();
    const lease = await acquireWriter(store, { leaseMs: this.options.leaseMs, waitMs: this.options.waitMs, onLost: (e) => this.lost(partition, e), signal });
    try {
      const graph = new TaskGraph(this.inputs.map((i) => i.source), this.templates, this.ids);
      for (const node of graph.committing) node.bindToCheckpoints(name);
      const loaded = await loadCheckpoint(store, {
        strict: this.options.strict,
        pipeline: { description: this.description, fingerprint: this.fingerprint },
        allowPipelineChange: this.options.allowPipelineChange,
        freshIfAllDamaged: this.options.freshIfAllDamaged,
        onWarning: (message) => log('warn', message, { job: this.job, task: name }),
      });
      const start = new Map<string, string>();
      if (loaded !== null) {
        restoreStates(graph.stateful.map(({ node, id }) => [node, id] as [Stream<any>, string]), loaded, { job: this.job, task: name });
        for (const { source, id } of this.inputs) {
          const position = loaded.sources[id];
          const offset = position === undefined ? undefined : checkPosition(position, source.topic).partitions.find((p) => p.partition === partition)?.offset;
          if (offset !== undefined) start.set(id, offset);
        }
      }
      const task = new PartitionTask(name, partition, store, lease, graph, start, this.context);
      if (loaded !== null) task.restoredFrom(loaded.checkpoint, this.inputs);
      log('info', 'task restored', { job: this.job, task: name, checkpoint: loaded?.checkpoint ?? null, epoch: lease.epoch, ...took() });
      if (this.wanted.has(partition)) this.tasks.set(partition, task);
      else {
        await task.close();
        log('info', 'task revoked', { job: this.job, task: name, ms: 0 }); // while it was restoring
      }
      return task;
    } catch (e) {
      await lease.release().catch(() => undefined);
      throw e;
    }
  }

  /** Revoked from `input`: capture at the next cut (no more elements reach these tasks after it), write, release. */
  private async handOver(input: Input, leaving: { state: PartitionState; task: PartitionTask }[]): Promise<void> {
    const took = stopwatch();
    const take = () =>
      leaving.map(({ state, task }) => {
        this.tasks.delete(task.partition);
        const capture = task.capture(this.inputs, { input, next: state.next });
        task.closed = true;
        this.dropElsewhere(input, task.partition);
        return { task, capture };
      });
    const captured = this.gate === undefined ? take() : await this.gate.at(take);
    await Promise.all(
      captured.map(async ({ task, capture }) => {
        const name = task.name;
        try {
          if (capture !== undefined) await task.write(capture, false);
        } catch (e) {
          // Fenced: the new owner took the task first and goes on from the checkpoint before this one.
          log(e instanceof WriterFencedError ? 'info' : 'warn', 'revoked task not checkpointed', { job: this.job, task: name, error: e instanceof Error ? e.message : String(e) });
        }
        await task.close();
        log('info', 'task revoked', { job: this.job, task: name, unchanged: capture?.unchanged !== undefined, ...took() });
      }),
    );
  }
}

/**
 * For the log lines of a handover: wall time since it started, and the process's CPU time
 * meanwhile (everything the process did, other tasks included: an upper bound on the handover's).
 */
function stopwatch(): () => { ms: number; cpuMs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(cpu);
    return { ms: Math.round(performance.now() - wall), cpuMs: Math.round((user + system) / 1000) };
  };
}
