import { log } from '../core/log.js';
import { errorText } from './config.js';
import type { KafkaPosition } from './offsets.js';

/** One assigned partition: where the next read starts, or the lookup that will say so. */
export interface PartitionState {
  readonly partition: number;
  next: string | undefined;
  ready: Promise<void> | undefined;
  /** The partition's high watermark as of the last fetch (for the consumer lag). */
  highWatermark?: string;
}

/** Moves kafkajs' fetch position of a partition (consumer.seek). */
export type SeekFn = (partition: number, offset: string) => void;

/**
 * The partitions this group member reads and, for each, the next offset to read: the source's
 * position. Start offsets are never left to kafkajs: on every (re)assignment this decides, and
 * seeks kafkajs there, so the position is exact before the first message arrives:
 *  1. a partition it already had continues from its own position (kafkajs would go back to the
 *     group's committed offset and deliver again what is still in flight);
 *  2. else the offset given to `seek()` (a restored checkpoint), until this run first gets the
 *     partition: a restarted job whose group still counts its crashed predecessor as a member may
 *     get a share of the partitions first and the rest once that member's session expired, and
 *     its state holds every partition up to the checkpoint. Until then the position keeps the
 *     restored offsets of those partitions, so a checkpoint taken meanwhile loses none of them;
 *  3. else the group's committed offset, else the log's start or end (`startFrom`), looked up.
 *
 * Across a rebalance: partitions kept are read on without a gap or a repeat; partitions lost
 * leave the position (and their in-flight elements are not committed: the new owner reads them
 * again from the group's committed offset). So the group processes every message at least once,
 * but state built from a moved partition stays with the member that built it, and messages of
 * that partition after its last commit are counted by both members. Exact state needs one member
 * per job, or state kept per partition.
 */
export class Assignment {
  private parts = new Map<number, PartitionState>();
  /** Restored offsets of partitions this run has not been assigned yet. */
  private seekTo = new Map<number, string>();

  constructor(private readonly topic: string) {}

  get(partition: number): PartitionState | undefined {
    return this.parts.get(partition);
  }

  has(partition: number): boolean {
    return this.parts.has(partition);
  }

  /** Per assigned partition: messages between the next one to read and the high watermark of the last fetch. */
  lag(): { partition: number; lag: number }[] {
    const lags: { partition: number; lag: number }[] = [];
    for (const s of this.parts.values()) {
      if (s.next === undefined || s.highWatermark === undefined) continue;
      const behind = BigInt(s.highWatermark) - BigInt(s.next);
      lags.push({ partition: s.partition, lag: behind > 0n ? Number(behind) : 0 });
    }
    return lags.sort((a, b) => a.partition - b.partition);
  }

  /** Every assigned partition whose start is known, and the restored offsets of those not assigned yet. */
  position(): KafkaPosition {
    const partitions: { partition: number; offset: string }[] = [];
    for (const [partition, offset] of this.seekTo) partitions.push({ partition, offset });
    for (const s of this.parts.values()) if (s.next !== undefined) partitions.push({ partition: s.partition, offset: s.next });
    partitions.sort((a, b) => a.partition - b.partition);
    return { kind: 'kafka', topic: this.topic, partitions };
  }

  /** Forget a partition: its next assignment looks its start up again, like a fresh one. */
  drop(partition: number): void {
    this.parts.delete(partition);
  }

  seek(position: KafkaPosition): void {
    this.seekTo = new Map(position.partitions.map((p) => [p.partition, p.offset]));
    this.parts = new Map();
  }

  /**
   * A (re)join assigned `assigned`: seek kafkajs for every partition whose start is known and
   * return what was kept, what was revoked, and the fresh partitions whose start must be looked up.
   */
  assign(assigned: readonly number[], seek: SeekFn): { kept: number[]; revoked: PartitionState[]; fresh: PartitionState[] } {
    const parts = new Map<number, PartitionState>();
    const kept: number[] = [];
    const fresh: PartitionState[] = [];
    for (const partition of assigned) {
      const prev = this.parts.get(partition);
      if (prev?.next !== undefined) {
        parts.set(partition, prev);
        seek(partition, prev.next);
        kept.push(partition);
        continue;
      }
      const state: PartitionState = { partition, next: this.seekTo.get(partition), ready: undefined };
      this.seekTo.delete(partition);
      if (state.next !== undefined) seek(partition, state.next);
      else fresh.push(state);
      parts.set(partition, state);
    }
    const revoked = [...this.parts.values()].filter((s) => !parts.has(s.partition));
    this.parts = parts;
    return { kept, revoked, fresh };
  }

  /**
   * Look up where `states` start (retrying until it works, `gaveUp()` or they are revoked), then seek kafkajs
   * there. Batches of these partitions wait on `ready` meanwhile.
   */
  lookUpStarts(states: PartitionState[], lookup: (partitions: number[]) => Promise<Map<number, string>>, seek: SeekFn, gaveUp: () => boolean, label: string): void {
    const ready = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const starts = await lookup(states.map((s) => s.partition));
          for (const s of states) {
            if (this.parts.get(s.partition) !== s) continue; // revoked meanwhile
            s.next = starts.get(s.partition)!;
            seek(s.partition, s.next);
          }
          return;
        } catch (e) {
          if (gaveUp() || states.every((s) => this.parts.get(s.partition) !== s)) return; // or all revoked meanwhile
          log('warn', 'kafka start offsets lookup failed; retrying', { source: label, error: errorText(e) });
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2_000)));
        }
      }
    })();
    for (const s of states) s.ready = ready;
  }
}
