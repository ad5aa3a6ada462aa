/**
 * Kafka offsets are 64-bit: kept as decimal strings (as kafkajs and the checkpoint format do) and
 * compared through BigInt, never through Number.
 */
export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

export const offsetBefore = (a: string, b: string): boolean => BigInt(a) < BigInt(b);

export function isOffset(s: unknown): s is string {
  return typeof s === 'string' && /^(0|[1-9][0-9]*)$/.test(s);
}

/** A Kafka source's checkpoint position: for every assigned partition, the next offset to read. */
export interface KafkaPosition {
  kind: 'kafka';
  topic: string;
  partitions: { partition: number; offset: string }[];
}

export function checkPosition(p: unknown, topic: string): KafkaPosition {
  const pos = p as Partial<KafkaPosition> | null;
  const bad = (why: string) => new TypeError(`fromKafka(${JSON.stringify(topic)}): cannot seek to ${JSON.stringify(p)}: ${why}`);
  if (pos?.kind !== 'kafka') throw bad('not a Kafka position');
  if (pos.topic !== topic) throw bad(`it is a position in topic ${JSON.stringify(pos.topic)}`);
  if (!Array.isArray(pos.partitions)) throw bad('no partitions list');
  for (const e of pos.partitions) {
    if (!Number.isInteger(e?.partition) || e.partition < 0 || !isOffset(e.offset)) throw bad(`bad entry ${JSON.stringify(e)}`);
  }
  return pos as KafkaPosition;
}
