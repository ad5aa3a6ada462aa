import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import '../../src/index.js';
import { Stream, retainRefs, releaseRefs, type KafkaBatchedSource, type KafkaRecord, type KafkaSource, type Meta, type ToKafkaNode } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, kcatProduce, range, waitCommittedToEnd, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { events: 4, order: 2, late: 2, kc: 3, slow: 1 } });
  k = new TestKafka(broker);
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

const json = (i: number) => ({ key: `key${i % 7}`, value: JSON.stringify({ id: i, k: `key${i % 7}` }) });

describe('fromKafkaBatched', { timeout: 180_000 }, () => {
  it('emits batches per partition, commits them when done, resumes from the group', async () => {
    const producedFrom = Date.now();
    await k.produce('events', range(0, 1000).map(json));
    const src = Stream.fromKafkaBatched('events', consumerConfig(broker, 'g-basic'), {
      startFrom: 'earliest',
      decode: 'json',
      keys: true,
      maxBatchSize: 100,
    });
    const batches = src.sinkToList();
    const running = src.start();
    await waitFor(() => batches.flat().length >= 1000, 60_000, () => `got ${batches.flat().length}`);
    for (const b of batches) {
      expect(b.length).toBeGreaterThan(0);
      expect(b.length).toBeLessThanOrEqual(100);
      expect(new Set(b.map((r) => r.partition)).size).toBe(1); // one partition per batch
      const offsets = b.map((r) => Number(r.offset));
      expect(offsets).toEqual(range(offsets[0], offsets[0] + offsets.length)); // in order, no gaps
    }
    const ids = batches.flat().map((r: KafkaRecord<{ id: number }>) => r.value.id);
    expect(ids.sort((x, y) => x - y)).toEqual(range(0, 1000)); // each once: a Set would hide a duplicate
    const r0 = batches[0][0];
    expect(typeof r0.key).toBe('string');
    expect(r0.timestamp).toBeGreaterThanOrEqual(producedFrom - 1_000); // the producer's clock, this machine's: no bound on how long the read took
    expect(r0.timestamp).toBeLessThanOrEqual(Date.now());
    await waitCommittedToEnd(k, 'g-basic', 'events');
    src.stop();
    await running;

    // A new source in the same group reads only what came after the commit.
    await k.produce('events', range(1000, 1100).map(json));
    const again = Stream.fromKafkaBatched('events', consumerConfig(broker, 'g-basic'), { decode: 'json' });
    const more = again.sinkToList();
    const r2 = again.start();
    // Caught up with the end of every partition: nothing more can arrive, no fixed wait needed.
    const high = await k.highWatermarks('events');
    await waitFor(() => [...high].every(([p, h]) => again.position().partitions.find((x) => x.partition === p)?.offset === h), 60_000, () => JSON.stringify(again.position()));
    expect(more.flat().map((v: { id: number }) => v.id).sort((a, b) => a - b)).toEqual(range(1000, 1100));
    again.stop();
    await r2;
  });

  it("startFrom 'latest' skips what a new group never saw; values are Buffers by default", async () => {
    await k.produce('late', range(0, 50).map((i) => ({ value: `old${i}` })));
    const src = Stream.fromKafkaBatched('late', consumerConfig(broker, 'g-latest'));
    const got = src.flatten().sinkToList();
    const running = src.start();
    await waitFor(() => src.position().partitions.length === 2, 60_000, () => JSON.stringify(src.position()));
    expect(src.position().partitions.map((p) => p.offset).reduce((a, b) => a + Number(b), 0)).toBe(50);
    await k.produce('late', range(0, 20).map((i) => ({ value: `new${i}` })));
    await waitFor(() => got.length >= 20, 60_000, () => `got ${got.length}`);
    expect(got.every((v) => Buffer.isBuffer(v))).toBe(true);
    expect(got.map(String).sort()).toEqual(range(0, 20).map((i) => `new${i}`).sort());
    src.stop();
    await running;
  });

  it('commits in order per partition: never past a batch still held downstream', async () => {
    await k.produce('order', range(0, 30).map((i) => ({ value: String(i), partition: 0 })));
    // A node that keeps partition 0's batches until the test lets them go, in any order; partition 1
    // carries probes nobody holds.
    const held: { batch: string[]; meta: Meta }[] = [];
    class Hold extends Stream<string[]> {
      override update(x: string[], meta: Meta) {
        if (x.includes('probe')) return;
        retainRefs(meta);
        held.push({ batch: x, meta });
      }
    }
    const src = Stream.fromKafkaBatched('order', consumerConfig(broker, 'g-order'), { startFrom: 'earliest', decode: 'string', maxBatchSize: 10 });
    new Hold({}, [src]);
    const running = src.start();
    // Batches of at most 10, in order; how many depends on the client's fetches (kafkajs: 3 of 10).
    await waitFor(() => held.flatMap((h) => h.batch).length >= 30, 60_000, () => `held ${held.length}`);
    expect(held.flatMap((h) => h.batch)).toEqual(range(0, 30).map(String));
    expect(held.length).toBeGreaterThanOrEqual(3);
    const committed = async (partition: number) => (await k.committed('g-order', 'order')).get(partition);
    for (const h of held.slice(1)) releaseRefs(h.meta);
    // A probe read after those releases: one commit carries every partition's newest offset, so once
    // the probe's offset is in the group, any commit the releases caused is there too.
    await k.produce('order', [{ value: 'probe', partition: 1 }]);
    await waitFor(async () => (await committed(1)) === '1', 60_000, () => 'the probe committed');
    expect(await committed(0)).toBe('-1'); // batch 0 is still held: nothing may be committed
    releaseRefs(held[0].meta);
    await waitFor(async () => (await committed(0)) === '30', 60_000, () => 'commit after releasing the first batch');
    src.stop();
    await running;
  });

  it('backpressure: a pending emit stops fetching', async () => {
    await k.produce('slow', range(0, 200).map((i) => ({ value: String(i) })));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[][] = [];
    const options = { startFrom: 'earliest', decode: 'string', maxBatchSize: 20 } as const;
    const src = Stream.fromKafkaBatched('slow', consumerConfig(broker, 'g-slow'), options);
    src.sink((b) => {
      seen.push(b);
      return seen.length === 1 ? gate : undefined;
    });
    const running = src.start();
    await waitFor(() => seen.length >= 1, 60_000, () => 'first batch');
    // Meanwhile, in this process, another group reads the whole topic in ten batches: had the held
    // source gone on fetching, it would have emitted more by then.
    const control = Stream.fromKafkaBatched('slow', consumerConfig(broker, 'g-slow-control'), options);
    const read = control.sinkToList();
    const controlRunning = control.start();
    await waitFor(() => read.flat().length >= 200, 60_000, () => `control read ${read.flat().length}`);
    control.stop();
    await controlRunning;
    expect(read.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBe(1);
    expect(src.position().partitions).toEqual([{ partition: 0, offset: '0' }]); // the first batch is not through yet
    release();
    await waitFor(() => seen.flat().length >= 200, 60_000, () => `got ${seen.flat().length}`);
    await waitCommittedToEnd(k, 'g-slow', 'slow');
    src.stop();
    await running;
  });
});

describe('fromKafka', { timeout: 180_000 }, () => {
  it('emits one record per message, keys and all, from what kcat produced', async () => {
    const lines = range(0, 300).map((i) => `key${i}:value ${i}`);
    await kcatProduce(broker.bootstrap, 'kc', lines);
    const src = Stream.fromKafka('kc', consumerConfig(broker, 'g-kcat'), { startFrom: 'earliest', keys: true, decode: 'string' });
    const got = src.sinkToList();
    const running = src.start();
    await waitFor(() => got.length >= 300, 60_000, () => `got ${got.length}`);
    expect(got.map((r) => `${r.key}:${r.value}`).sort()).toEqual([...lines].sort());
    for (const r of got) {
      expect(r.topic).toBe('kc');
      expect([0, 1, 2]).toContain(r.partition);
      expect(r.offset).toMatch(/^\d+$/);
    }
    await waitCommittedToEnd(k, 'g-kcat', 'kc');
    src.stop();
    await running;
  });
});

describe('element types', () => {
  it('follow keys and decode', () => {
    const cfg = { brokers: ['127.0.0.1:1'], groupId: 'types' };
    expectTypeOf(Stream.fromKafkaBatched('t', cfg)).toEqualTypeOf<KafkaBatchedSource<Buffer | null>>();
    expectTypeOf(Stream.fromKafkaBatched('t', cfg, { decode: 'string' })).toEqualTypeOf<KafkaBatchedSource<string>>();
    expectTypeOf(Stream.fromKafka('t', cfg, { decode: 'string', keys: true })).toEqualTypeOf<KafkaSource<KafkaRecord<string>>>();
    expectTypeOf(Stream.fromKafka('t', cfg, { decode: (v) => v!.length })).toEqualTypeOf<KafkaSource<number>>();
    expectTypeOf(Stream.fromKafkaBatched('t', cfg, { decode: (v) => v!.length, keys: true })).toEqualTypeOf<KafkaBatchedSource<KafkaRecord<number>>>();
    const batches = Stream.fromKafkaBatched('t', cfg, { decode: 'string' });
    expectTypeOf(batches.toKafka('o', cfg, { flatten: true, key: (s) => s })).toEqualTypeOf<ToKafkaNode<string[]>>();
    expectTypeOf(batches.toKafka).parameter(2).exclude<undefined>().toHaveProperty('flatten');
  });
});
