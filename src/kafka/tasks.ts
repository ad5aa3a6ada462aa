import type { PartitionAssigner } from 'kafkajs';
import type { Emitted, Meta } from '../core/meta.js';
import type { PartitionState } from './assignment.js';

/**
 * A partitioned job's side of a Kafka source: one task per assigned partition, each with its own
 * copy of the graph's state (the job implements this; see runtime/partitioned.ts). The source
 * tells it what the group assigns and revokes, and hands it every emission with its partition.
 */
export interface PartitionTasks {
  /**
   * Several co-partitioned topics in one job: the source's consumer subscribes all of them (so
   * the group's leader deals them all) and uses this assigner, which gives a process partition p
   * of every topic (see co-assigner.ts).
   */
  readonly group?: { topics: readonly string[]; assigner: PartitionAssigner };
  /** Newly assigned partitions: take their tasks over; resolves to each restored task's next offset. */
  assigned(partitions: readonly number[]): Promise<Map<number, string>>;
  /** Revoked partitions: checkpoint their tasks and give them up (`next` is read at the cut). */
  revoked(parts: readonly PartitionState[]): void;
  /** One emission of `partition`'s messages, into that partition's task. */
  emit(partition: number, x: unknown, meta: Meta): Emitted;
}

/** Where newly assigned partitions start under tasks: their task's checkpoint, else `lookup` (the group's offsets). */
export function taskStarts(tasks: PartitionTasks, lookup: (partitions: number[]) => Promise<Map<number, string>>): (partitions: number[]) => Promise<Map<number, string>> {
  return async (partitions) => {
    const restored = await tasks.assigned(partitions);
    const rest = partitions.filter((p) => !restored.has(p));
    return new Map([...(rest.length > 0 ? await lookup(rest) : []), ...restored]);
  };
}
