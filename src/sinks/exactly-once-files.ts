import { openStore, type CheckpointStore, type OpenStoreOptions } from '../checkpoint/index.js';
import type { Emitted } from '../core/meta.js';
import type { CommitsWithCheckpoints } from '../core/stateful.js';
import { Stream, type StreamOptions } from '../core/stream.js';

export interface FileSinkOptions extends StreamOptions {
  /** Part files are named `<prefix><number>.jsonl`, numbered from 1 (default `part-`). */
  prefix?: string;
  /** Endpoint, region, credentials for an `s3://` target. */
  storeOptions?: OpenStoreOptions;
}

/** Elements cut into a part at a checkpoint, waiting for that checkpoint to commit. */
interface PendingPart<T> {
  part: number;
  rows: T[];
}

export interface FileSinkState<T> {
  nextPart: number;
  pending: PendingPart<T>[];
}

declare module '../core/stream.js' {
  interface Stream<T> {
    /**
     * Exactly-once output: JSON-lines part files in a directory or under `s3://bucket/prefix`.
     * Under a checkpointing job, each checkpoint cuts what arrived since the previous one into a
     * part, and the part is published (written atomically under its final name) only once that
     * checkpoint has committed: a consumer of the directory never sees a duplicate or a partial
     * file, even across crashes. Without checkpoints, parts are written at the end of the input.
     * Under a partitioned job each task publishes its own parts, named after it (`part-events-0-000001.jsonl`).
     */
    sinkToFiles(target: string | CheckpointStore, options?: FileSinkOptions): ExactlyOnceFileSink<T>;
  }
}

/**
 * Two-phase commit, as Flink's FileSink: `snapshot()` (at the cut) pre-commits the rows received
 * since the last cut as part N, and they travel in the checkpoint itself, so they are durable
 * when its commit marker is; `checkpointCommitted()` then publishes them. A crash between the two
 * loses nothing: the restored state still lists the part, and the next commit publishes it (a
 * rewrite of the same name with the same content).
 */
export class ExactlyOnceFileSink<T> extends Stream<never> implements CommitsWithCheckpoints<FileSinkState<T>> {
  /** Frozen, so that the per-task copies of a partitioned job share the store's client instead of copying it. */
  private readonly target: Readonly<{ store: CheckpointStore }>;
  private readonly prefix: string;
  /** The task this copy runs under a partitioned job (`events-0`): its parts are named after it. */
  private task: string | undefined;
  private rows: T[] = [];
  private pending: PendingPart<T>[] = [];
  private nextPart = 1;
  private boundToCheckpoints = false;

  constructor(upstream: Stream<T>, target: string | CheckpointStore, options: FileSinkOptions = {}) {
    super(options, [upstream]);
    this.target = Object.freeze({ store: openStore(target, options.storeOptions) });
    this.prefix = options.prefix ?? 'part-';
  }

  get store(): CheckpointStore {
    return this.target.store;
  }

  override get kind(): string {
    return 'sinkToFiles';
  }

  override params(): Record<string, unknown> {
    return { target: this.store.url, prefix: this.prefix };
  }

  override update(x: T): Emitted {
    this.rows.push(x);
    return undefined;
  }

  /** The name part `n` is published under: `part-000001.jsonl`, or `part-events-0-000001.jsonl` for task `events-0`. */
  partName(n: number): string {
    return `${this.prefix}${this.task === undefined ? '' : `${this.task}-`}${String(n).padStart(6, '0')}.jsonl`;
  }

  bindToCheckpoints(task?: string): void {
    this.boundToCheckpoints = true;
    this.task = task;
  }

  /** Pre-commit: the rows since the last cut become the next part. */
  snapshot(): FileSinkState<T> {
    if (this.rows.length > 0) this.pending.push({ part: this.nextPart++, rows: this.rows });
    this.rows = [];
    return { nextPart: this.nextPart, pending: [...this.pending] };
  }

  restore(state: FileSinkState<T>): void {
    this.rows = [];
    this.nextPart = state.nextPart;
    this.pending = [...state.pending];
  }

  async checkpointCommitted(state: FileSinkState<T>): Promise<void> {
    for (const p of state.pending) await this.publish(p);
    const done = new Set(state.pending.map((p) => p.part));
    this.pending = this.pending.filter((p) => !done.has(p.part));
  }

  /** Without checkpoints the end of the input is the only commit; under a job, the final checkpoint publishes. */
  override endOfInput(): Emitted {
    if (this.boundToCheckpoints || this.rows.length === 0) return undefined;
    const part = { part: this.nextPart++, rows: this.rows };
    this.rows = [];
    return this.publish(part);
  }

  private publish(p: PendingPart<T>): Promise<void> {
    const text = p.rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n').join('');
    return this.store.put(this.partName(p.part), new TextEncoder().encode(text));
  }
}

Stream.prototype.sinkToFiles = function (this: Stream<any>, target: string | CheckpointStore, options?: FileSinkOptions) {
  return new ExactlyOnceFileSink(this, target, options);
};
