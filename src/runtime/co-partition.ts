/**
 * Co-partitioning of joins in partitioned jobs: a task runs partition p of its input, so a join
 * whose two inputs read different topics joins partition p of one with partition p of the other.
 * That finds every match only if both topics have the same number of partitions and put a key in
 * the same partition (Kafka Streams' co-partitioning requirement). The count is checked at start,
 * against the brokers; the key partitioning cannot be, so the error says what it needs.
 */
import { IntervalJoinNode, TableJoinNode, walk, type Stream } from '../core/index.js';
import { brokerList, createKafka } from '../kafka/config.js';
import { preflight } from '../kafka/group.js';
import { KafkaSourceBase } from '../kafka/source.js';
import type { Source } from '../sources/source.js';

/** A join whose left and right inputs come from different sources. */
export interface JoinAcrossSources {
  join: Stream<any>;
  joinId: string;
  sides: [Source<any>[], Source<any>[]];
}

export class CoPartitionError extends Error {
  override name = 'CoPartitionError';
  constructor(
    readonly joinId: string,
    readonly topics: { side: 'left' | 'right'; topic: string; partitions: number }[],
  ) {
    const read = topics.map((t) => `its ${t.side} input reads topic "${t.topic}" (${t.partitions} partition${t.partitions === 1 ? '' : 's'})`).join(', ');
    const most = Math.max(...topics.map((t) => t.partitions));
    super(
      `join "${joinId}" is not co-partitioned: ${read}. A partitioned job's task for partition p joins partition p of each topic, ` +
        `so both need the same number of partitions and the same key partitioning (each produced keyed by the join key, with the same partitioner); ` +
        `repartition the other input through a topic of ${most} partitions, or run the job unpartitioned`,
    );
  }
}

/** The joins of the graph whose two inputs do not come from the same sources. */
export function joinsAcrossSources(sources: readonly Source<any>[], ids: ReadonlyMap<Stream<any>, string>): JoinAcrossSources[] {
  const found: JoinAcrossSources[] = [];
  for (const node of walk(sources)) {
    if (!(node instanceof IntervalJoinNode || node instanceof TableJoinNode)) continue;
    const sides = node.upstreams.slice(0, 2).map((input) => sourcesAbove(input, sources)) as [Source<any>[], Source<any>[]];
    const same = sides[0].length === sides[1].length && sides[0].every((s) => sides[1].includes(s));
    if (!same) found.push({ join: node, joinId: ids.get(node) ?? node.id, sides });
  }
  return found;
}

/** Throws `CoPartitionError` for the first join whose inputs read topics of different partition counts. */
export async function checkCoPartitioned(joins: readonly JoinAcrossSources[], partitionCount: (source: KafkaSourceBase<any>) => Promise<number> = countPartitions): Promise<void> {
  const counts = new Map<KafkaSourceBase<any>, Promise<number>>();
  const count = (s: KafkaSourceBase<any>) => counts.get(s) ?? counts.set(s, partitionCount(s)).get(s)!;
  for (const { joinId, sides } of joins) {
    const topics = await Promise.all(
      (['left', 'right'] as const).flatMap((side, i) =>
        sides[i].filter((s): s is KafkaSourceBase<any> => s instanceof KafkaSourceBase).map(async (s) => ({ side, topic: s.topic, partitions: await count(s) })),
      ),
    );
    if (new Set(topics.map((t) => t.partitions)).size > 1) throw new CoPartitionError(joinId, topics);
  }
}

/** The topic's partition count, from the brokers. */
async function countPartitions(source: KafkaSourceBase<any>): Promise<number> {
  const admin = createKafka(source.config, `streamframe-copartition-${source.topic}`).admin();
  try {
    return (await preflight(admin, source.topic, brokerList(source.config.brokers), 10_000)).length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function sourcesAbove(node: Stream<any>, sources: readonly Source<any>[]): Source<any>[] {
  const found = new Set<Source<any>>();
  const seen = new Set<Stream<any>>();
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (sources.includes(n as Source<any>)) found.add(n as Source<any>);
    stack.push(...n.upstreams);
  }
  return [...found];
}
