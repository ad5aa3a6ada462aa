/** A node whose state a checkpoint can take and give back. */
export interface Stateful<S = unknown> {
  snapshot(): S;
  restore(state: S): void;
}

export function isStateful(x: unknown): x is Stateful {
  const s = x as Partial<Stateful> | null;
  return typeof s?.snapshot === 'function' && typeof s.restore === 'function';
}

/** A source that can say where it is and go back there (an index, a byte offset, Kafka offsets). */
export interface Seekable<P = unknown> {
  position(): P;
  seek(position: P): void;
}

export function isSeekable(x: unknown): x is Seekable {
  const s = x as Partial<Seekable> | null;
  return typeof s?.position === 'function' && typeof s.seek === 'function';
}

/**
 * A node whose output becomes visible only when a checkpoint holding it commits (two-phase
 * commit, as Flink's FileSink): its snapshot pre-commits what arrived since the last cut, and a
 * job publishes it once that checkpoint is durable.
 */
export interface CommitsWithCheckpoints<S = unknown> extends Stateful<S> {
  /**
   * A job that checkpoints this node calls this before it starts: from now on, publish only on
   * commits. A partitioned job calls it on each task's copy with the task's name (`events-0`):
   * copies publish side by side, so their outputs must not collide.
   */
  bindToCheckpoints(task?: string): void;
  /** The checkpoint holding `state` (this node's snapshot at its cut) is durable: publish what it pre-committed. */
  checkpointCommitted(state: S): Promise<void>;
}

export function commitsWithCheckpoints(x: unknown): x is CommitsWithCheckpoints {
  const s = x as Partial<CommitsWithCheckpoints> | null;
  return isStateful(x) && typeof s?.bindToCheckpoints === 'function' && typeof s.checkpointCommitted === 'function';
}
