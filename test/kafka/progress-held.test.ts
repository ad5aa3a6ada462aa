import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressClient, runJob, Stream, type Job, type KafkaRecord } from '../../src/index.js';
import type { KafkaSource } from '../../src/kafka/from-kafka.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { clientConfig, consumerConfig, TestKafka, waitFor, watch } from './helpers.js';

/**
 * Progress is tracked per fetched batch (one reference counter per batch while nothing holds its
 * elements): these jobs hold elements in the graph while later ones of the same batch pass, and
 * check at every step that the processed offset never passes an element still in the graph, on
 * the tracker and on what is published, and that it reaches the oldest one held.
 */

const N = 20;
let broker: KafkaTestBroker;
let k: TestKafka;
let client: ProgressClient;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { 'held-async': 1, 'held-window': 1 } });
  k = new TestKafka(broker);
  // Produced before the jobs start: one fetch gets several messages, so they share a batch.
  for (const topic of ['held-async', 'held-window']) await k.produce(topic, Array.from({ length: N }, (_, i) => ({ value: JSON.stringify({ i }) })));
  client = new ProgressClient(clientConfig(broker));
}, 180_000);

afterAll(async () => {
  await client?.close();
  await k?.close();
  await broker?.stop();
});

type Row = KafkaRecord<{ i: number }>;

/**
 * A job over `topic` whose middle part (`hold`) may keep elements; the offsets between the source
 * and the sink are the ones in the graph, and the processed offset must stay at or below the
 * oldest of them (or, with none, the next offset to read).
 */
function heldJob(topic: string, hold: (s: Stream<Row>) => Stream<Row>) {
  const source: KafkaSource<Row> = Stream.fromKafka(topic, consumerConfig(broker, `${topic}-job`), { keys: true, decode: 'json', startFrom: 'earliest' });
  const inGraph = new Set<number>();
  const out: number[] = [];
  let lastEntered = -1;
  let violation: string | undefined;
  const bound = () => (inGraph.size > 0 ? Math.min(...inGraph) : Number(source.nextOffsetOf(0) ?? 0));
  const check = (when: string) => {
    const processed = source.progress?.processedOf(0);
    if (processed !== undefined && Number(processed) > bound() && violation === undefined) {
      violation = `${when}: processed ${processed} with ${[...inGraph].join(', ') || 'nothing'} in the graph (next to read ${source.nextOffsetOf(0)})`;
    }
  };
  const entered = source.map((r) => {
    check(`before ${r.offset} entered`);
    inGraph.add(Number(r.offset));
    lastEntered = Number(r.offset);
    return r;
  });
  hold(entered).sink((r) => {
    check(`before ${r.offset} left`);
    inGraph.delete(Number(r.offset));
    out.push(Number(r.offset));
  });
  const group = `${topic}-job`;
  const job: Job = runJob(source, { name: group, handleSignals: false, progress: { intervalMs: 10 }, metricsPort: 0, metricsHost: '127.0.0.1' });
  /** The processed offset the job has published (its /progress endpoint serves what it sent). */
  const published = async () => {
    if (job.metricsPort === undefined) return undefined;
    const all = (await (await fetch(`http://127.0.0.1:${job.metricsPort}/progress`)).json()) as Record<string, Record<string, { processed: string | null }>>;
    return all[group]?.[`${topic}/0`]?.processed ?? undefined;
  };
  // A published figure is an earlier tracker figure: never past anything in the graph either.
  const watching = watch(async () => {
    check('sampled');
    const figure = await published();
    if (figure !== undefined && Number(figure) > bound()) violation ??= `published processed ${figure} with ${[...inGraph].join(', ') || 'nothing'} in the graph`;
  });
  return { source, job, out, inGraph, entered: () => lastEntered, violation: () => violation, published, watching };
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('processed offsets under per-batch tracking never pass an element still in the graph', () => {
  it('a slow async map holds the offset back while later elements of its batch pass', async () => {
    const gates = Array.from({ length: N }, gate);
    const { source, job, out, entered, violation, published, watching } = heldJob('held-async', (s) =>
      s.mapAsync(
        async (r) => {
          await gates[Number(r.offset)].promise;
          return r;
        },
        { concurrency: 4 },
      ),
    );
    try {
      // Open the gates out of order (3, 1, 2, 0, 7, 5, ...): a result waits behind the elements before it.
      for (let i = 0; i < N; i += 4) {
        for (const j of [i + 3, i + 1, i + 2, i]) {
          await waitFor(() => entered() >= j, 60_000, () => `message ${j} entered (${entered()} so far)`);
          gates[j].open();
          await new Promise((r) => setImmediate(r));
          expect(violation()).toBeUndefined();
        }
        await waitFor(() => out.length >= i + 4 && entered() >= Math.min(N, i + 8) - 1, 60_000, () => `${i + 4} out, ${out.length} so far`);
        // The next four wait at their gates: the job has processed exactly what left, here and published.
        await waitFor(() => source.progress?.processedOf(0) === String(i + 4), 60_000, () => `processed ${source.progress?.processedOf(0)}, not ${i + 4}`);
        await waitFor(async () => (await published()) === String(i + 4), 60_000, () => `published ${i + 4}`);
      }
      expect(out).toEqual(Array.from({ length: N }, (_, i) => i));
      await client.waitProcessed({ topic: 'held-async', partition: 0, offset: String(N - 1) }, { group: 'held-async-job', timeoutMs: 60_000 });
      expect(await watching.stop()).toBeGreaterThan(0);
      expect(violation()).toBeUndefined();
    } finally {
      gates.forEach((g) => g.open());
      await job.stop();
    }
  }, 180_000);

  it('elements held in a window hold the offset back until the window lets them go', async () => {
    const { source, job, out, inGraph, violation, published, watching } = heldJob('held-window', (s) => s.partition(3).flatten());
    try {
      // Everything read: 18 left in groups of three, the last two wait in the window.
      await waitFor(() => source.nextOffsetOf(0) === String(N) && out.length === 18, 60_000, () => `next ${source.nextOffsetOf(0)}, ${out.length} out`);
      expect([...inGraph]).toEqual([18, 19]);
      expect(source.progress?.processedOf(0)).toBe('18');
      await client.waitProcessed({ topic: 'held-window', partition: 0, offset: '17' }, { group: 'held-window-job', timeoutMs: 60_000 });
      expect(await published()).toBe('18');
      expect(await watching.stop()).toBeGreaterThan(0);
      expect(violation()).toBeUndefined();
    } finally {
      await job.stop();
    }
  }, 180_000);
});
