import { RefCounter } from '../core/ref-counter.js';
import { offsetBefore } from './offsets.js';

/** Consecutive elements of one partition sharing one RefCounter, which starts at 1: the source's hold. */
interface Segment {
  readonly ref: RefCounter;
  /** Every offset before this has left the graph. */
  cleared: string;
  /** After its last delivered element. */
  end: string;
}

/**
 * The elements the source delivers from one fetched batch (`fromKafka`: an element per message) or
 * in one emission (`fromKafkaBatched`), tracked together (the per-message cost of issue 16): they
 * share the RefCounter of a segment. After an element's emission settled, a count of 1 (the
 * source's own hold) says that no element of the segment is held anywhere, so all delivered so far
 * has left the graph (`cleared`): one count check per element. A higher count says that this very
 * element is held (every earlier one had left at the previous check): the segment ends with it and
 * the next element starts another, so the processed offset stops exactly at the held element, as
 * a counter per element would. Pipelines that hold nothing pay one segment per batch; ones that
 * hold every element (windows, async maps) one per element, as before.
 */
export class ProgressBatch {
  private segment: Segment | undefined;

  constructor(
    /** The first offset of the next element. */
    private next: string,
    private readonly openSegment: (first: string) => Segment,
    private readonly onCleared: (segment: Segment) => void,
  ) {}

  /** The counter the next element carries. */
  get ref(): RefCounter {
    return (this.segment ??= this.openSegment(this.next)).ref;
  }

  /** The emission of the element ending before `end` settled. */
  settled(end: string): void {
    const segment = this.segment;
    this.next = end;
    if (segment === undefined) return;
    segment.end = end;
    if (segment.ref.count === 1) {
      segment.cleared = end;
      this.onCleared(segment);
    } else {
      this.segment = undefined;
      segment.ref.release();
    }
  }

  /** The source delivers no more of this batch: it is done once the graph lets go of its elements. */
  close(): void {
    this.segment?.ref.release();
    this.segment = undefined;
  }
}

interface PartitionLog {
  /** Segments not yet done, oldest first (and done ones behind one that is not). */
  readonly inFlight: Segment[];
  /** The end of the newest segment whose predecessors are all done. */
  completed: string | undefined;
  /** The partition went to another member: late completions say nothing. */
  forgotten: boolean;
  /** `changed` was called and the processed offset not read since: a further change needs no call. */
  announced: boolean;
}

/** Per input partition: the next offset whose predecessors have all left the graph. */
export interface PartitionProcessed {
  partition: number;
  processed: string;
}

/**
 * Which offsets of each partition of one Kafka source have left the graph (read-your-writes over
 * Kafka). The source delivers in ProgressBatches; a partition's processed offset is the `cleared`
 * offset of its oldest segment not done, or, when none is in flight, the source's next offset
 * (`next`). It only moves forward while this process owns the partition.
 */
export class KafkaProgress {
  private readonly logs = new Map<number, PartitionLog>();

  constructor(
    /** The source's next offset to read in `partition`, if it reads it. */
    private readonly next: (partition: number) => string | undefined,
    /** A partition's processed offset may have moved. */
    private readonly changed: (partition: number) => void,
  ) {}

  /** The elements of `partition` the source delivers from offset `first` on, until it closes the batch. */
  open(partition: number, first: string): ProgressBatch {
    let log = this.logs.get(partition);
    if (log === undefined) this.logs.set(partition, (log = { inFlight: [], completed: undefined, forgotten: false, announced: false }));
    const owner = log;
    const openSegment = (start: string): Segment => {
      const segment: Segment = { ref: new RefCounter(() => this.done(partition, owner, segment), 1), cleared: start, end: start };
      owner.inFlight.push(segment);
      return segment;
    };
    const cleared = (segment: Segment) => owner.inFlight[0] === segment && this.announce(partition, owner);
    return new ProgressBatch(first, openSegment, cleared);
  }

  /** The partition went to another member: its segments still in flight say nothing more. */
  forget(partition: number): void {
    const log = this.logs.get(partition);
    if (log !== undefined) log.forgotten = true;
    this.logs.delete(partition);
  }

  /** The partition is read here (not revoked since its first delivery). */
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
    log.announced = false;
    const held = log.inFlight[0];
    if (held !== undefined) return held.cleared;
    // Nothing held: the source's position, unless it has not moved past the last delivery yet.
    const next = this.next(partition);
    if (next === undefined) return log.completed;
    return log.completed !== undefined && offsetBefore(next, log.completed) ? log.completed : next;
  }

  private done(partition: number, log: PartitionLog, segment: Segment): void {
    const q = log.inFlight;
    if (q[0] !== segment) return; // an earlier segment still held: nothing moves
    while (q.length > 0 && q[0].ref.done) log.completed = q.shift()!.end;
    this.announce(partition, log);
  }

  /** Tell of a change once until the figure is read (the per-message path calls this per element). */
  private announce(partition: number, log: PartitionLog): void {
    if (log.forgotten || log.announced) return;
    log.announced = true;
    this.changed(partition);
  }
}
