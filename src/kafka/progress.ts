import { RefCounter } from '../core/ref-counter.js';
import { offsetBefore } from './offsets.js';

/** One emission of a partition still somewhere in the graph: its messages `first`..`end - 1`. */
interface InFlight {
  readonly first: string;
  readonly end: string;
  done: boolean;
}

interface PartitionLog {
  readonly inFlight: InFlight[];
  /** The end of the newest emission whose predecessors are all done. */
  completed: string | undefined;
}

/** Per input partition: the next offset whose predecessors have all left the graph. */
export interface PartitionProcessed {
  partition: number;
  processed: string;
}

/**
 * Which offsets of each partition of one Kafka source have left the graph (read-your-writes over
 * Kafka). Every emission gets a RefCounter, as CommitTracker gives one without a job; a partition's
 * processed offset is the first offset of its oldest emission still held, or, when none is held,
 * the source's next offset (`next`). It only moves forward while this process owns the partition.
 */
export class KafkaProgress {
  private readonly logs = new Map<number, PartitionLog>();

  constructor(
    /** The source's next offset to read in `partition`, if it reads it. */
    private readonly next: (partition: number) => string | undefined,
    /** A partition's processed offset may have moved. */
    private readonly changed: (partition: number) => void,
  ) {}

  /** A reference counter for the emission of `first`..`end - 1`, starting at 1 (the source's own hold). */
  track(partition: number, first: string, end: string): RefCounter {
    let log = this.logs.get(partition);
    if (log === undefined) this.logs.set(partition, (log = { inFlight: [], completed: undefined }));
    const entry: InFlight = { first, end, done: false };
    log.inFlight.push(entry);
    const owner = log;
    return new RefCounter(() => this.done(partition, owner, entry), 1);
  }

  /** The partition went to another member: its emissions still in flight say nothing more. */
  forget(partition: number): void {
    this.logs.delete(partition);
  }

  /** The partition is read here (not revoked since its first emission). */
  owns(partition: number): boolean {
    return this.logs.has(partition);
  }

  /** The processed offset of every partition known here (at a cut: what a checkpoint covers). */
  processed(): PartitionProcessed[] {
    const out: PartitionProcessed[] = [];
    for (const partition of this.logs.keys()) {
      const processed = this.processedOf(partition);
      if (processed !== undefined) out.push({ partition, processed });
    }
    return out.sort((a, b) => a.partition - b.partition);
  }

  processedOf(partition: number): string | undefined {
    const log = this.logs.get(partition);
    if (log === undefined) return undefined;
    const held = log.inFlight[0];
    if (held !== undefined) return held.first;
    // Nothing held: the source's position, unless it has not moved past the last emission yet.
    const next = this.next(partition);
    if (next === undefined) return log.completed;
    return log.completed !== undefined && offsetBefore(next, log.completed) ? log.completed : next;
  }

  private done(partition: number, log: PartitionLog, entry: InFlight): void {
    entry.done = true;
    const q = log.inFlight;
    if (q[0] !== entry) return; // an earlier emission still held: nothing moves
    while (q.length > 0 && q[0].done) log.completed = q.shift()!.end;
    // A forgotten partition's log is no longer in the map: its late completions do nothing.
    if (this.logs.get(partition) === log) this.changed(partition);
  }
}
