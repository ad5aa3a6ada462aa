import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** The group protocol name of `coPartitionedAssigner`: every member of such a group must use it. */
export const CO_PARTITIONED = 'StreamframeCoPartitioned';

/** What each consumer of a co-partitioned group tells the assigner: its process (one job instance) and the topic it reads. */
interface Reader {
  memberId: string;
  process: string;
  topic: string;
}

/**
 * A partitioned job that reads several co-partitioned topics runs one consumer per topic in one
 * group; its task p is partition p of every topic, so one process must get partition p of all of
 * them (Kafka Streams' co-partitioned tasks). kafkajs' round robin deals partitions to members
 * without regard to topic or process, so this assigner deals partition numbers to processes
 * instead (sorted, p mod count), and partition p of topic T to that process's consumer of T.
 * A process whose consumer of T has not joined yet gets no partition of T; another process's
 * consumer of T reads it meanwhile (its task moves through the store as on any rebalance).
 */
export function coPartitionedAssigner(self: { process: string; topic: string }): PartitionAssigner {
  return ({ cluster }) => ({
    name: CO_PARTITIONED,
    version: 0,
    async assign({ members, topics }) {
      const readers: Reader[] = members.map(({ memberId, memberMetadata }) => {
        const userData = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData;
        const { process, topic } = JSON.parse(userData?.toString() || '{}') as Partial<Reader>;
        return { memberId, process: process ?? memberId, topic: topic ?? '' };
      });
      const processes = [...new Set(readers.map((r) => r.process))].sort();
      const assignment = new Map<string, Record<string, number[]>>(readers.map((r) => [r.memberId, {}]));
      for (const topic of topics) {
        const ofTopic = readers.filter((r) => r.topic === topic).sort((a, b) => (a.process < b.process ? -1 : a.process > b.process ? 1 : a.memberId < b.memberId ? -1 : 1));
        if (ofTopic.length === 0) continue;
        const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId).sort((a, b) => a - b);
        for (const p of partitions) {
          const process = processes[p % processes.length];
          const reader = ofTopic.find((r) => r.process === process) ?? ofTopic[p % ofTopic.length];
          (assignment.get(reader.memberId)![topic] ??= []).push(p);
        }
      }
      return [...assignment].map(([memberId, parts]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: parts, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: CO_PARTITIONED, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.from(JSON.stringify(self)) }) };
    },
  });
}
