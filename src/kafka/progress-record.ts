import { isOffset } from './offsets.js';

/**
 * One record of a job's progress topic (compacted, keyed `<topic>/<partition>`): how far the job
 * has come in one input partition. Offsets are next offsets (everything before them is done), as
 * decimal strings; `checkpointed` is null while this run has not committed a checkpoint that
 * covers the partition.
 */
export interface ProgressRecord {
  /** The job's consumer group. */
  group: string;
  topic: string;
  partition: number;
  /** Every message before it has left the job's graph. */
  processed: string;
  /** Every message before it had left the graph at a checkpoint that has committed since. */
  checkpointed: string | null;
  /** The process that owns the partition (host:pid). */
  member: string;
  /** When this was published, ms since the epoch. */
  at: number;
}

export type ProgressLevel = 'processed' | 'checkpointed';

/** The progress topic of a consumer group when the job does not name one. */
export const progressTopicOf = (group: string): string => `${group}.progress`;

export const progressKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * A progress record from its bytes, or why it is not one. Records are read from a topic anyone can
 * write to, so every field is checked.
 */
export function parseProgressRecord(value: Buffer | null): ProgressRecord | string {
  if (value === null) return 'a tombstone (no value)';
  let r: Partial<Record<keyof ProgressRecord, unknown>>;
  try {
    r = JSON.parse(value.toString('utf8'));
  } catch {
    return `not JSON: ${JSON.stringify(value.toString('utf8').slice(0, 80))}`;
  }
  if (r === null || typeof r !== 'object') return `not an object: ${JSON.stringify(r)}`;
  if (typeof r.group !== 'string' || typeof r.topic !== 'string' || typeof r.member !== 'string') return 'group, topic or member is not a string';
  if (!Number.isInteger(r.partition) || (r.partition as number) < 0) return `bad partition ${JSON.stringify(r.partition)}`;
  if (!isOffset(r.processed)) return `bad processed offset ${JSON.stringify(r.processed)}`;
  if (r.checkpointed !== null && !isOffset(r.checkpointed)) return `bad checkpointed offset ${JSON.stringify(r.checkpointed)}`;
  if (typeof r.at !== 'number') return 'at is not a number';
  return r as ProgressRecord;
}

/** The larger of two next offsets (either may be unknown). */
export function laterOffset(a: string | null | undefined, b: string | null | undefined): string | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}
