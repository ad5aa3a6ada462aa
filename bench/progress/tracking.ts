/**
 * The per-message cost of progress tracking on fromKafka's emission path alone, without a broker:
 * a fromKafka source under a (trivial) job gate delivers pre-built fetched batches of small JSON
 * messages (`{"k":"key17","v":0.5}`) through decoding, metadata and push into a per-key sum, with
 * progress tracking off and on (a ProgressPublisher, not started: nothing is sent), alternating,
 * best of N by CPU time. Without kafkajs' own per-message work (fetch, parse, CRC) in the
 * measurement, the relative overhead is an upper bound on what a job pays.
 *
 * Graphs: `sink`, nothing held (a batch shares one counter); `window`, a sliding window of 2 that
 * holds every element (one counter per element, the worst case).
 *
 * Usage: npx tsx bench/progress/tracking.ts [messages=1000000] [batchSize=1000] [passes=7] [graphs=sink,window]
 */
import { loadavg } from 'node:os';
import type { KafkaMessage } from 'kafkajs';
import type { Stream } from '../../src/index.js'; // the nodes (sink, slidingWindow) come with the index
import '../../src/index.js';
import type { PartitionState } from '../../src/kafka/assignment.js';
import { KafkaSource } from '../../src/kafka/from-kafka.js';
import { ProgressPublisher } from '../../src/kafka/progress-publisher.js';

const messages = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? 1_000);
const passes = Number(process.argv[4] ?? 7);
const graphs = (process.argv[5] ?? 'sink,window').split(',') as Graph[];
const KEYS = 100;

/** A fromKafka source whose fetched batches the benchmark hands in. */
class HandFed extends KafkaSource<{ k: string; v: number }> {
  async feed(part: PartitionState, batch: KafkaMessage[]): Promise<void> {
    await this.deliverMessages(part, batch, () => true);
  }
}

const batches: KafkaMessage[][] = [];
for (let i = 0; i < messages; i += batchSize) {
  const batch: KafkaMessage[] = [];
  for (let j = i; j < Math.min(messages, i + batchSize); j++) {
    const value = Buffer.from(JSON.stringify({ k: `key${j % KEYS}`, v: (j % 1000) / 1000 }));
    batch.push({ offset: String(j), key: null, value, timestamp: '0', attributes: 0, headers: {}, size: value.length } as unknown as KafkaMessage);
  }
  batches.push(batch);
}

type Graph = 'sink' | 'window';

async function run(graph: Graph, progress: boolean): Promise<{ wall: number; cpu: number }> {
  const source = new HandFed('events', { brokers: ['127.0.0.1:9'], groupId: 'bench' }, { decode: 'json' });
  source.gate = { beforeEmit: () => undefined, afterEmit: () => undefined };
  if (progress) new ProgressPublisher(source); // sets source.progress
  const sums: Record<string, number> = {};
  const add = ({ k, v }: { k: string; v: number }) => void (sums[k] = (sums[k] ?? 0) + v);
  const s = source as unknown as Stream<{ k: string; v: number }>;
  if (graph === 'sink') s.sink(add);
  else s.slidingWindow(2).sink((w) => add(w[w.length - 1]));
  const part: PartitionState = { partition: 0, next: '0', ready: undefined };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const batch of batches) await source.feed(part, batch);
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  if (part.next !== String(messages)) throw new Error(`read to ${part.next}, not ${messages}`);
  if (progress && source.progress?.processedOf(0) !== String(graph === 'sink' ? messages : messages - 1)) throw new Error(`processed ${source.progress?.processedOf(0)}`);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

console.log(`${messages} messages in batches of ${batchSize}, best of ${passes}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| graph | off: ns/msg (CPU) | on: ns/msg (CPU) | overhead CPU | overhead wall |\n|---|---|---|---|---|');
for (const graph of graphs) {
  await run(graph, false); // warm-up
  await run(graph, true);
  const best = { off: { wall: Infinity, cpu: Infinity }, on: { wall: Infinity, cpu: Infinity } };
  for (let i = 0; i < passes; i++) {
    for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
      const t = await run(graph, on);
      const b = on ? best.on : best.off;
      b.wall = Math.min(b.wall, t.wall);
      b.cpu = Math.min(b.cpu, t.cpu);
    }
  }
  const ns = (s: number) => ((s / messages) * 1e9).toFixed(0);
  const pct = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
  console.log(`| ${graph} | ${ns(best.off.cpu)} | ${ns(best.on.cpu)} | ${pct(best.on.cpu, best.off.cpu)} | ${pct(best.on.wall, best.off.wall)} |`);
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
