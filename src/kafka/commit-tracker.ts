import { log } from '../core/log.js';
import { RefCounter } from '../core/ref-counter.js';
import { errorText } from './config.js';

interface Pending {
  /** The offset to commit once this element and all before it are done: its last offset + 1. */
  readonly end: string;
  done: boolean;
}

interface PartitionLog {
  readonly partition: number;
  readonly pending: Pending[];
  /** Highest end whose elements, and all before them, are done (what the group should hold). */
  completed: string | undefined;
  /** What the group holds, as far as we know. */
  committed: string | undefined;
}

export type CommitFn = (offsets: { partition: number; offset: string }[]) => Promise<void>;

const RETRY_MS = 250;

/**
 * streamz's at-least-once commits without checkpoints. Every emitted element gets a RefCounter;
 * when it reaches zero (every branch, window and async node downstream is done with the element)
 * the element is marked done, and a partition's committed offset moves only across a prefix of
 * done elements: never past an earlier element still held somewhere. Commits are coalesced (one
 * request in flight, carrying the newest offset of every partition) and retried until they succeed.
 * Only while the consumer is a member of the group: a commit made while it rejoins fails, and
 * under librdkafka restarts the join (UNKNOWN_MEMBER_ID makes it rejoin from scratch), so retries
 * every 250 ms could keep it out of the group; once it rejoined, `recommit` commits what is due.
 */
export class CommitTracker {
  private readonly logs = new Map<number, PartitionLog>();
  private inFlight: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failures = 0;

  constructor(
    private readonly commit: CommitFn,
    private readonly label: string,
    /** The consumer is a member of the group (not rejoining it). */
    private readonly isMember: () => boolean,
  ) {}

  /**
   * A reference counter for the next element of `partition`, ending before `end`. It starts at 1,
   * the source's own hold, which the source releases once its emit (and any dead letters) settled.
   */
  track(partition: number, end: string): RefCounter {
    const plog = this.logOf(partition);
    const entry: Pending = { end, done: false };
    plog.pending.push(entry);
    return new RefCounter(() => this.done(plog, entry), 1);
  }

  /** The partition was revoked: its elements still in flight will be read again by its new owner. */
  forget(partition: number): void {
    this.logs.delete(partition);
  }

  /** After a rejoin, commit again what was completed (a commit may have been dropped in the gap). */
  recommit(partition: number): void {
    const plog = this.logs.get(partition);
    if (plog?.completed !== undefined) {
      plog.committed = undefined;
      this.schedule();
    }
  }

  /** Offsets that are complete but not yet known to be committed. */
  get outstanding(): { partition: number; offset: string }[] {
    const out: { partition: number; offset: string }[] = [];
    for (const [partition, plog] of this.logs) {
      if (plog.completed !== undefined && plog.completed !== plog.committed) out.push({ partition, offset: plog.completed });
    }
    return out;
  }

  /** Wait for the commit in flight and make one last attempt for what is outstanding; then stop retrying. */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.inFlight;
    if (this.outstanding.length > 0) await this.flush().catch(() => undefined);
    this.closed = true;
  }

  private logOf(partition: number): PartitionLog {
    let plog = this.logs.get(partition);
    if (plog === undefined) this.logs.set(partition, (plog = { partition, pending: [], completed: undefined, committed: undefined }));
    return plog;
  }

  private done(plog: PartitionLog, entry: Pending): void {
    entry.done = true;
    const q = plog.pending;
    let advanced = false;
    while (q.length > 0 && q[0].done) {
      plog.completed = q.shift()!.end;
      advanced = true;
    }
    // A forgotten (revoked) partition's log is no longer in the map: its late completions do nothing.
    if (advanced && this.logs.get(plog.partition) === plog) this.schedule();
  }

  private schedule(): void {
    // While a retry waits, its timer commits whatever completes meanwhile.
    if (this.closed || this.inFlight !== undefined || this.retryTimer !== undefined || !this.isMember()) return;
    this.inFlight = Promise.resolve()
      .then(() => this.flush())
      .then(
        () => {
          this.inFlight = undefined;
          this.failures = 0;
          if (this.outstanding.length > 0) this.schedule(); // completed more while committing
        },
        (e: unknown) => {
          this.inFlight = undefined;
          // Rebalances and broker outages fail commits for a while; say so once per streak.
          if (this.failures++ === 0) {
            const text = errorText(e);
            log(/rebalanc/i.test(text) ? 'info' : 'warn', 'kafka offset commit failed; retrying', { source: this.label, error: text });
          }
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.schedule();
          }, RETRY_MS);
          this.retryTimer.unref?.();
        },
      );
  }

  private async flush(): Promise<void> {
    const offsets = this.outstanding;
    if (offsets.length === 0) return;
    await this.commit(offsets);
    for (const { partition, offset } of offsets) {
      const plog = this.logs.get(partition);
      if (plog !== undefined) plog.committed = offset;
    }
  }
}
