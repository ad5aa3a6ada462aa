/**
 * The per-message cost of progress tracking on fromKafka's emission path alone, without a broker:
 * a fromKafka source under a (trivial) job gate delivers pre-built fetched batches of small JSON
 * messages (`{"k":"key17","v":0.5}`) through decoding, metadata and push into a per-key sum, with
 * progress tracking off and on (a ProgressPublisher, not started: nothing is sent), alternating:
 * the best CPU time of each, and the median over the N pairs of on/off CPU time (steadier than
 * either best while others load the machine). Without kafkajs' own per-message work (fetch, parse, CRC) in the
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

/** CPU seconds this process spent delivering every batch. */
async function run(graph: Graph, progress: boolean): Promise<number> {
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
  for (const batch of batches) await source.feed(part, batch);
  const used = process.cpuUsage(cpu0);
  if (part.next !== String(messages)) throw new Error(`read to ${part.next}, not ${messages}`);
  if (progress && source.progress?.processedOf(0) !== String(graph === 'sink' ? messages : messages - 1)) throw new Error(`processed ${source.progress?.processedOf(0)}`);
  return (used.user + used.system) / 1e6;
}

console.log(`${messages} messages in batches of ${batchSize}, best of ${passes}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| graph | off: ns/msg (best CPU) | on: ns/msg (best CPU) | overhead, best CPU | overhead, median of pairs (CPU) |\n|---|---|---|---|---|');
for (const graph of graphs) {
  await run(graph, false); // warm-up
  await run(graph, true);
  const best = { off: Infinity, on: Infinity };
  const ratios: number[] = [];
  for (let i = 0; i < passes; i++) {
    const pair = { off: 0, on: 0 };
    for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
      const cpu = await run(graph, on);
      const key = on ? 'on' : 'off';
      best[key] = Math.min(best[key], cpu);
      pair[key] = cpu;
    }
    ratios.push(pair.on / pair.off);
  }
  const median = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
  const ns = (s: number) => ((s / messages) * 1e9).toFixed(0);
  const pct = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
  console.log(`| ${graph} | ${ns(best.off)} | ${ns(best.on)} | ${pct(best.on, best.off)} | ${((median - 1) * 100).toFixed(1)}% |`);
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
