import { laterOffset, progressKey, type ProgressLevel } from './progress-record.js';

/** How far a job has come in one input partition (next offsets; null: not known yet). */
export interface PartitionProgress {
  processed: string | null;
  checkpointed: string | null;
  /** The member that reported the newest figure, and when (ms since the epoch). */
  member?: string;
  at?: number;
}

/** A wait for a job's progress that ran out of time: which job, partition and offsets. */
export class ProgressTimeoutError extends Error {
  override readonly name = 'ProgressTimeoutError';
  constructor(
    readonly group: string,
    readonly topic: string,
    readonly partition: number,
    readonly level: ProgressLevel,
    /** The offset waited for: the job must have moved past it. */
    readonly wanted: string,
    readonly current: PartitionProgress | undefined,
    readonly timeoutMs: number,
  ) {
    const now = current === undefined ? 'it has reported no progress for that partition' : `it is at processed ${current.processed ?? 'unknown'}, checkpointed ${current.checkpointed ?? 'unknown'}`;
    super(`job group "${group}" did not get ${topic}/${partition} ${level} past offset ${wanted} within ${timeoutMs} ms: ${now}`);
  }
}

interface Waiter {
  offset: bigint;
  level: ProgressLevel;
  wake: () => void;
  fail: (e: Error) => void;
}

/**
 * The newest progress of one job, per input partition, and the waits on it. Figures only grow:
 * a lower one (a new owner of a partition resuming from its checkpoint, a restarted job) is ignored,
 * so a wait that resolved never becomes unresolved.
 */
export class ProgressBook {
  private readonly partitions = new Map<string, PartitionProgress>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(readonly group: string) {}

  get(topic: string, partition: number): PartitionProgress | undefined {
    const p = this.partitions.get(progressKey(topic, partition));
    return p === undefined ? undefined : { ...p };
  }

  /** Every partition's figures, keyed `topic/partition`. */
  all(): Record<string, PartitionProgress> {
    return Object.fromEntries([...this.partitions].map(([k, v]) => [k, { ...v }]));
  }

  update(topic: string, partition: number, figures: PartitionProgress): void {
    const key = progressKey(topic, partition);
    const old = this.partitions.get(key);
    const processed = laterOffset(old?.processed, figures.processed);
    const checkpointed = laterOffset(old?.checkpointed, figures.checkpointed);
    if (old !== undefined && old.processed === processed && old.checkpointed === checkpointed) return;
    this.partitions.set(key, { processed, checkpointed, member: figures.member, at: figures.at });
    const waiting = this.waiters.get(key);
    if (waiting !== undefined) for (const w of waiting) if (this.passed(key, w.offset, w.level)) w.wake();
  }

  /** True once the job has moved past `offset` of the partition at `level`. */
  isPast(topic: string, partition: number, offset: string, level: ProgressLevel): boolean {
    return this.passed(progressKey(topic, partition), BigInt(offset), level);
  }

  /** Resolves once the job has moved past `offset` at `level`; rejects with ProgressTimeoutError after `timeoutMs`. */
  wait(topic: string, partition: number, offset: string, level: ProgressLevel, timeoutMs: number): Promise<void> {
    if (this.isPast(topic, partition, offset, level)) return Promise.resolve();
    const key = progressKey(topic, partition);
    let set = this.waiters.get(key);
    if (set === undefined) this.waiters.set(key, (set = new Set()));
    const waiting = set;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(waiter);
        reject(new ProgressTimeoutError(this.group, topic, partition, level, offset, this.get(topic, partition), timeoutMs));
      }, timeoutMs);
      const settle = (then: () => void) => {
        clearTimeout(timer);
        waiting.delete(waiter);
        then();
      };
      const waiter: Waiter = { offset: BigInt(offset), level, wake: () => settle(resolve), fail: (e) => settle(() => reject(e)) };
      waiting.add(waiter);
    });
  }

  /** End every wait with `error` (the reader was closed). */
  abort(error: () => Error): void {
    for (const set of this.waiters.values()) for (const w of [...set]) w.fail(error());
  }

  private passed(key: string, offset: bigint, level: ProgressLevel): boolean {
    const at = this.partitions.get(key)?.[level];
    return at !== null && at !== undefined && BigInt(at) > offset;
  }
}
