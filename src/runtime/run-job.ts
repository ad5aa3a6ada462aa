import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { drain, errorText, isSeekable, log, nodeIds, walk, type Clock, type TimerHandle } from '../core/index.js';
import { CheckpointWriteError, openStore, WriterFencedError, type AcquireWriterOptions, type CheckpointStore, type OpenStoreOptions } from '../checkpoint/index.js';
import { Source } from '../sources/source.js';
import { KafkaSourceBase } from '../kafka/source.js';
import type { ProgressOptions } from '../kafka/progress-publisher.js';
import { Checkpointer } from './checkpointer.js';
import { checkCoPartitioned, joinsAcrossSources } from './co-partition.js';
import { CutGate } from './cut.js';
import { JobMetrics, type JobMetricsSnapshot } from './metrics.js';
import { PartitionedTasks } from './partitioned.js';
import { ReadYourWrites, type PositionToken } from './read-your-writes.js';
import { JobProgress, type ProgressCut } from './progress.js';
import { progressHandler } from './progress-http.js';

export type { PositionToken };

export interface CheckpointOptions {
  /** A directory, `file:` or `s3://bucket/prefix`, any OpenDAL URL (`gs://`, `azblob://`, …; see openStore), or a store; default `checkpoint/<job name>`. */
  store?: string | CheckpointStore;
  /** Passed through to the store's backend (endpoint, region, credentials, account, …); else each platform's standard environment variables. */
  storeOptions?: OpenStoreOptions;
  /** Take a checkpoint after this many source elements and/or this many milliseconds. */
  every?: { elements?: number; ms?: number };
  /** Committed checkpoints to keep (default 10). */
  keep?: number;
  /** Refuse to start from a damaged latest checkpoint instead of falling back to the previous one. */
  strict?: boolean;
  /** Restore even when the pipeline's fingerprint differs from the checkpoint's. */
  allowPipelineChange?: boolean;
  /**
   * One writer per store: the job holds a lease on it (renewed every `leaseMs / 3`) and waits up
   * to `waitMs` for another live holder (default 10 000 ms and `leaseMs` + 2 s); see checkpoint/README.md.
   */
  writerLease?: { leaseMs?: number; waitMs?: number };
  /**
   * Consecutive failed checkpoints the job runs on after; one more fails the job with the last
   * error (default 0, as Flink's `tolerable-failed-checkpoints`). A fenced writer fails at once.
   */
  tolerableFailures?: number;
  /** A checkpoint write that takes longer fails (default 60 000 ms); what it had not written yet is abandoned. */
  writeTimeoutMs?: number;
  /** When checkpoints exist but every one is damaged, start fresh over them (else the job fails with `AllCheckpointsDamagedError`). */
  freshIfAllDamaged?: boolean;
}

export interface JobOptions {
  name: string;
  checkpoint?: CheckpointOptions;
  /** Stop gracefully on SIGINT, SIGTERM and SIGHUP (default true); a second signal exits at once. */
  handleSignals?: boolean;
  /** Log a failure of the job at level error (default true; the CLI reports it itself). */
  logFailure?: boolean;
  /** The clock for `every.ms` (default: the first source's). */
  clock?: Clock;
  /** Keep per-node and per-job metrics (`job.metrics()`, `job.metricsText()`). */
  metrics?: boolean;
  /** Also serve them in Prometheus text format on `http://<metricsHost>:<port>/metrics`. */
  metricsPort?: number;
  metricsHost?: string;
  /** Track when each source element has left the graph, for `job.processed()` and `job.checkpointed()`. */
  trackProcessed?: boolean;
  /**
   * Read-your-writes for other processes: publish, per input partition of every Kafka source, the
   * next offset whose predecessors have all left the graph (`processed`) and the one a committed
   * checkpoint covers (`checkpointed`), to the compacted topic `<group>.progress` (or `topic`) and,
   * with a `metricsPort`, as the long poll `GET /progress`. Publishers wait with `waitProcessed`.
   */
  progress?: boolean | ProgressOptions;
  /**
   * Scale out: each partition of the job's Kafka source is a task with its own copy of every
   * stateful node's state, checkpointed under `tasks/<topic>-<partition>/` of the store. Start more
   * processes with the same code, group and store; they share the partitions.
   */
  partitioned?: boolean | { leaseMs?: number; waitMs?: number };
}

/** What a job's checkpoints need from its graph: a plain one (Checkpointer) or one per task (PartitionedTasks). */
interface JobCheckpoints<C extends { sources: Record<string, unknown> } = any> {
  acquire(options: AcquireWriterOptions): Promise<void>;
  restore(): Promise<number | null>;
  capture(): C;
  write(capture: C, timeoutMs: number): Promise<{ checkpoint: number; bytes: number }>;
  /** Wait for asynchronous nodes it runs beyond the sources' graph (partitioned: every task's). */
  drain?(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Run a graph from its sources: restore the newest intact checkpoint, start every source, take
 * checkpoints at consistent cuts, and finish with a final checkpoint when the sources are
 * exhausted or the job is stopped.
 */
export function runJob(sources: Source<any> | readonly Source<any>[], options: JobOptions): Job {
  return new Job(Array.isArray(sources) ? sources : [sources as Source<any>], options);
}

export class Job {
  /** The number of the checkpoint restored, or null on a fresh start. */
  readonly restored: Promise<number | null>;
  /** Sources exhausted or stopped, all work finished, final checkpoint written. */
  readonly done: Promise<void>;
  readonly sources: readonly Source<any>[];
  private readonly checkpointer: JobCheckpoints | undefined;
  private readonly gate: CutGate;
  private writes: Promise<unknown> = Promise.resolve();
  private writesQueued = 0;
  private failedInARow = 0;
  private stopping = false;
  private failure: unknown;
  private last: { checkpoint: number; at: number } | undefined;
  private readonly jobMetrics: JobMetrics | undefined;
  private readonly readYourWrites: ReadYourWrites;
  private readonly progress: JobProgress | undefined;
  private servedPort: number | undefined;

  /** The options without `storeOptions`: credentials live only inside the store's client. */
  private readonly options: JobOptions;

  constructor(roots: readonly Source<any>[], options: JobOptions) {
    const found = walk(roots).filter((n): n is Source<any> => n instanceof Source);
    this.sources = [...new Set([...roots, ...found])];
    const cp = options.checkpoint;
    if (cp === undefined) this.options = options;
    else {
      const { storeOptions: _secrets, ...kept } = cp;
      this.options = { ...options, checkpoint: kept };
    }
    const ids = nodeIds(this.sources);
    if (options.metrics || options.metricsPort !== undefined) this.jobMetrics = new JobMetrics(options.name, ids);
    this.readYourWrites = new ReadYourWrites(options.name, new Map(this.sources.map((s) => [s, ids.get(s)!])), options.trackProcessed ?? false);
    if (options.progress) this.progress = new JobProgress(options.name, this.sources, ids, options.progress === true ? {} : options.progress);
    if (cp !== undefined) {
      for (const s of this.sources) {
        if (!isSeekable(s)) {
          throw new Error(`runJob: source "${ids.get(s)}" (${s.kind}) cannot report and restore its position, so job "${options.name}" cannot be checkpointed; use a seekable source (fromIterable, fromTextFile, fromKafka*) or run without checkpoint`);
        }
      }
      const store = openStore(cp.store ?? join('checkpoint', options.name), cp.storeOptions);
      const how = { keep: cp.keep ?? 10, strict: cp.strict ?? false, allowPipelineChange: cp.allowPipelineChange ?? false, freshIfAllDamaged: cp.freshIfAllDamaged ?? false };
      this.checkpointer = options.partitioned ? this.partitionedTasks(store, how) : new Checkpointer(store, options.name, this.sources, how);
    } else if (options.partitioned) {
      throw new Error(`runJob: job "${options.name}" is partitioned but has no checkpoint store; its tasks move between processes through the store, so give one (checkpoint: { store })`);
    }
    const everyElements = cp?.every?.elements;
    this.gate = new CutGate(this.sources, everyElements === undefined ? undefined : () => this.due(), everyElements ?? Infinity, options.trackProcessed ? (s) => this.readYourWrites.emitted(s) : undefined);
    if (this.checkpointer instanceof PartitionedTasks) this.checkpointer.gate = this.gate;
    this.restored = this.restore();
    this.done = this.run();
    // A job that fails is reported here once; callers still see the rejection on `done`/`restored`.
    if (options.logFailure !== false) this.done.catch((e: unknown) => log('error', 'job failed', { job: options.name, error: errorText(e) }));
    this.done.catch(() => {});
    this.restored.catch(() => {});
  }

  /** The newest checkpoint this run wrote, and when. */
  get lastCheckpoint(): { checkpoint: number; at: number } | undefined {
    return this.last;
  }

  /** The port metrics are served on while the job runs (the one the system chose for `metricsPort: 0`). */
  get metricsPort(): number | undefined {
    return this.servedPort;
  }

  /** Per-node and per-job figures (needs `metrics` or `metricsPort`). */
  metrics(): JobMetricsSnapshot {
    return this.requireMetrics().current();
  }

  /** The same in Prometheus text format. */
  metricsText(): Promise<string> {
    return this.requireMetrics().text();
  }

  /**
   * Read-your-writes: resolves once the element at this position, and every one before it, has
   * left the graph (needs `trackProcessed`). A producer that appended an event at that position
   * can then read aggregates that include it.
   */
  processed(token: PositionToken, options: { timeoutMs?: number } = {}): Promise<void> {
    return this.readYourWrites.processed(token, options.timeoutMs ?? 30_000);
  }

  /** Like `processed`, and also part of a committed checkpoint. */
  checkpointed(token: PositionToken, options: { timeoutMs?: number } = {}): Promise<void> {
    return this.readYourWrites.checkpointed(token, options.timeoutMs ?? 30_000);
  }

  /** Take a checkpoint at the next consistent cut; resolves to its number once committed. */
  checkpoint(): Promise<number> {
    if (this.checkpointer === undefined) return Promise.reject(new Error(`job "${this.options.name}" has no checkpoint store`));
    return this.enqueueCheckpoint(this.checkpointer);
  }

  /** Stop the sources after their current element, write a final checkpoint, finish. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const s of this.sources) s.stop();
    }
    return this.done;
  }

  private async restore(): Promise<number | null> {
    if (this.checkpointer === undefined) return null;
    const started = performance.now();
    await this.checkpointer.acquire({ ...this.options.checkpoint?.writerLease, onLost: (e) => this.fail(e) });
    const n = await this.checkpointer.restore();
    this.jobMetrics?.restored(performance.now() - started);
    return n;
  }

  private async run(): Promise<void> {
    try {
      await this.restored;
      await this.runRestored();
    } finally {
      await this.checkpointer?.release();
    }
  }

  private async runRestored(): Promise<void> {
    const cleanup = [this.attachGate(), this.startTimer(), this.handleSignals(), await this.serveMetrics()];
    this.progress?.start();
    try {
      await Promise.all(this.sources.map((s) => s.start().catch((e: unknown) => this.fail(e)).finally(() => this.gate.runIfQuiet())));
      if (this.failure === undefined) await drain(this.sources).catch((e: unknown) => this.fail(e));
      if (this.failure === undefined) await this.checkpointer?.drain?.().catch((e: unknown) => this.fail(e));
      if (this.failure !== undefined) {
        await this.writes.catch(() => {}); // checkpoints captured before the failure are still good
        throw this.failure;
      }
      if (this.checkpointer !== undefined) await this.enqueueCheckpoint(this.checkpointer);
      else await this.writes;
    } finally {
      await this.progress?.close();
      for (const undo of cleanup) undo();
      for (const n of walk(this.sources)) n.stopTimers();
    }
  }

  /** First failure wins: stop everything, no final checkpoint (the state after a failure is not a cut). */
  private fail(e: unknown): void {
    this.failure ??= e;
    this.stop().catch(() => {});
  }

  /** A periodic or element-count trigger: coalesced while one checkpoint is written and another waits. */
  private due(): void {
    if (this.checkpointer === undefined || this.writesQueued > 1 || this.stopping) return;
    this.enqueueCheckpoint(this.checkpointer).catch(() => {}); // counted, logged and acted on in enqueueCheckpoint
  }

  /**
   * Capture at the next cut right away (sources wait at their gates only for that copy), then write
   * after the previous checkpoint: the store numbers checkpoints, so writes go one after another.
   */
  private enqueueCheckpoint(checkpointer: JobCheckpoints): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(new Error(`job "${this.options.name}" failed; its state is not a consistent cut`));
    this.writesQueued++;
    const started = performance.now();
    const capture = this.gate.at((): [ReturnType<JobCheckpoints['capture']>, ProgressCut | undefined] => [checkpointer.capture(), this.progress?.atCut()]);
    const next = Promise.all([capture, this.writes.catch(() => {})])
      .then(async ([[c, cut]]) => {
        const { checkpoint: n, bytes } = await checkpointer.write(c, this.writeTimeoutMs);
        this.failedInARow = 0;
        this.last = { checkpoint: n, at: Date.now() };
        this.jobMetrics?.checkpointCommitted(performance.now() - started, bytes);
        this.readYourWrites.committed(c.sources);
        if (cut !== undefined) this.progress?.committed(cut, c.sources);
        log('info', 'checkpoint committed', { job: this.options.name, checkpoint: n, bytes });
        return n;
      })
      .catch((e: unknown) => {
        this.jobMetrics?.checkpointFailed();
        this.checkpointFailed(e);
        throw e;
      })
      .finally(() => this.writesQueued--);
    this.writes = next;
    return next;
  }

  private get writeTimeoutMs(): number {
    return this.options.checkpoint?.writeTimeoutMs ?? 60_000;
  }

  /**
   * Every source must be a Kafka source of one group, each on its own topic: task p is partition p
   * of each. Joins across topics are checked for co-partitioning (CoPartitionError) at start.
   */
  private partitionedTasks(store: CheckpointStore, how: { keep: number; strict: boolean; allowPipelineChange: boolean; freshIfAllDamaged: boolean }): JobCheckpoints {
    const kafka = this.sources.filter((s): s is KafkaSourceBase<any> => s instanceof KafkaSourceBase);
    const name = `runJob: partitioned job "${this.options.name}"`;
    if (kafka.length === 0 || kafka.length < this.sources.length) {
      const kinds = this.sources.map((s) => s.kind).join(', ');
      throw new Error(`${name} reads only Kafka sources (fromKafka or fromKafkaBatched), whose partitions are its tasks; it has ${kinds}. Run other sources in a job of their own`);
    }
    const topics = kafka.map((s) => s.topic);
    const twice = topics.find((t, i) => topics.indexOf(t) !== i);
    if (twice !== undefined) throw new Error(`${name} reads topic "${twice}" with two sources; read it once and split the stream (filter) instead`);
    const groups = [...new Set(kafka.map((s) => s.config.groupId))];
    if (groups.length > 1) throw new Error(`${name} reads its topics in consumer groups ${groups.map((g) => JSON.stringify(g)).join(', ')}; give every source the same groupId: one group assigns partition p of every topic to the same process`);
    const joins = kafka.length > 1 ? joinsAcrossSources(this.sources, nodeIds(this.sources)) : [];
    const p = typeof this.options.partitioned === 'object' ? this.options.partitioned : {};
    const leaseMs = p.leaseMs ?? 10_000;
    return new PartitionedTasks(store, this.options.name, kafka, {
      ...how,
      leaseMs,
      waitMs: p.waitMs ?? 6 * leaseMs,
      writeTimeoutMs: this.writeTimeoutMs,
      fail: (e) => this.fail(e),
      // The brokers know the partition counts: checked before any task is taken.
      check: joins.length === 0 ? undefined : () => checkCoPartitioned(joins),
    });
  }

  /** Logs a failed checkpoint once, by number, node and file; fails the job past `tolerableFailures` in a row. */
  private checkpointFailed(e: unknown): void {
    if (this.failure !== undefined) return;
    this.failedInARow++;
    const tolerable = this.options.checkpoint?.tolerableFailures ?? 0;
    const where = e instanceof CheckpointWriteError ? { checkpoint: e.checkpoint, nodeId: e.nodeId, file: e.file } : {};
    log('error', 'checkpoint failed', { job: this.options.name, ...where, failedInARow: this.failedInARow, tolerable, error: errorText(e) });
    if (e instanceof WriterFencedError || this.failedInARow > tolerable) this.fail(e);
  }

  private requireMetrics(): JobMetrics {
    if (this.jobMetrics === undefined) throw new Error(`job "${this.options.name}" keeps no metrics; start it with { metrics: true } or a metricsPort`);
    return this.jobMetrics;
  }

  private async serveMetrics(): Promise<() => void> {
    if (this.jobMetrics === undefined || this.options.metricsPort === undefined) return () => {};
    const routes: Record<string, RequestListener> = this.progress === undefined ? {} : { '/progress': progressHandler(this.progress) };
    const server = await this.jobMetrics.serve(this.options.metricsPort, this.options.metricsHost, routes);
    this.servedPort = (server.address() as AddressInfo).port;
    log('info', 'serving metrics', { job: this.options.name, port: this.servedPort });
    return () => server.close();
  }

  private attachGate(): () => void {
    for (const s of this.sources) s.gate = this.gate;
    return () => {
      for (const s of this.sources) {
        s.gate = undefined;
      }
    };
  }

  private startTimer(): () => void {
    const ms = this.options.checkpoint?.every?.ms;
    if (ms === undefined) return () => {};
    const clock = this.options.clock ?? this.sources[0].clock;
    let timer: TimerHandle;
    const tick = () => {
      this.due();
      timer = clock.setTimeout(tick, ms);
    };
    timer = clock.setTimeout(tick, ms);
    return () => timer.cancel();
  }

  private handleSignals(): () => void {
    if (this.options.handleSignals === false) return () => {};
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        log('warn', `${signal} again: exiting without a final checkpoint`, { job: this.options.name });
        process.exit(130);
      }
      log('info', `${signal}: stopping after a final checkpoint`, { job: this.options.name });
      void this.stop().catch(() => {});
    };
    // SIGHUP (the terminal or session went away) means stop too, with a final checkpoint.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of signals) process.on(s, onSignal);
    return () => {
      for (const s of signals) process.off(s, onSignal);
    };
  }
}
