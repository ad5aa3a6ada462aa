import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError, runJob, Stream } from '../../src/index.js';
import { storeWithPut } from '../fixtures/store.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { stored: 2, raise: 1, skip: 1 } });
  k = new TestKafka(broker);
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

const json = (i: number) => ({ key: `k${i}`, value: JSON.stringify({ i }) });

describe('under runJob, a checkpoint store that fails', () => {
  it('leaves the group offsets where the last durable checkpoint put them', async () => {
    await k.produce('stored', range(0, 100).map(json));
    let failing = false;
    const store = storeWithPut(mkdtempSync(join(tmpdir(), 'sf-kafka-store-')), (write) => (failing ? Promise.reject(new Error('store down')) : write()));
    const src = Stream.fromKafkaBatched('stored', consumerConfig(broker, 'g-stored'), { startFrom: 'earliest', decode: 'json' }).name('events');
    const seen = src.flatten().sinkToList();
    const job = runJob(src, { name: 'stored', handleSignals: false, checkpoint: { store } });
    await waitFor(() => seen.length >= 100, 15_000, () => `seen ${seen.length}`);
    await job.checkpoint();
    await waitCommittedToEnd(k, 'g-stored', 'stored'); // the durable checkpoint's offsets went to the group
    const durable = await k.committed('g-stored', 'stored');

    await k.produce('stored', range(100, 150).map(json));
    await waitFor(() => seen.length >= 150, 15_000, () => `seen ${seen.length}`);
    failing = true;
    await expect(job.checkpoint()).rejects.toThrow(/store down/);
    // The group offsets are committed after the commit marker is written, inside the checkpoint: a
    // failed checkpoint has no commit in flight, so this is the final word.
    expect(await k.committed('g-stored', 'stored')).toEqual(durable);
    await expect(job.stop()).rejects.toThrow(/store down/); // its final checkpoint cannot be written either
    expect(await k.committed('g-stored', 'stored')).toEqual(durable);
  }, 60_000);
});

describe('messages that fail to decode', () => {
  const produceWithOneBad = (topic: string) => k.produce(topic, [...range(0, 5).map(json), { key: 'bad', value: '{not json' }, ...range(5, 10).map(json)]);

  it("the default policy ('raise') fails the source with the decode error, after the messages before it", async () => {
    await produceWithOneBad('raise');
    const src = Stream.fromKafka('raise', consumerConfig(broker, 'g-raise'), { startFrom: 'earliest', decode: 'json' });
    const seen = src.map((v: { i: number }) => v.i).sinkToList();
    const error = await src.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(String(error)).toMatch(/JSON/);
    expect(seen).toEqual(range(0, 5));
  }, 60_000);

  it("'skip' drops the undecodable message and goes on; the group offsets reach the end", async () => {
    await produceWithOneBad('skip');
    const src = Stream.fromKafka('skip', consumerConfig(broker, 'g-skip'), { startFrom: 'earliest', decode: 'json' });
    const seen = src.onError('skip').map((v: { i: number }) => v.i).sinkToList();
    const running = src.start();
    await waitFor(() => seen.length >= 10, 15_000, () => `seen ${seen.length}`);
    expect(seen).toEqual(range(0, 10));
    await waitCommittedToEnd(k, 'g-skip', 'skip');
    src.stop();
    await running;
  }, 60_000);
});
