import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFrame, Stream, type DeadLetter, type Frame } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { payloads: 2 } });
  k = new TestKafka(broker);
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

describe('Kafka JSON payloads into a DataFrame', () => {
  it('undecoded values (Buffers) are read as JSON lines into columns; one bad message fails its batch naming the row, through the error policy', async () => {
    const good = range(0, 600).map((i) => ({ key: null, value: JSON.stringify({ k: `key${i % 5}`, v: i / 4 }) }));
    await k.produce('payloads', [...good.slice(0, 300), { key: null, value: '{"k":"key1","v":' }, ...good.slice(300)].map((m, i) => ({ ...m, partition: i % 2 })));
    const src = Stream.fromKafkaBatched('payloads', consumerConfig(broker, 'g-sdf-json'), { startFrom: 'earliest', maxBatchSize: 50 });
    const dead = new Stream<DeadLetter>();
    const failed = dead.sinkToList();
    const sdf = new DataFrame(src, { example: { k: 'utf8', v: 'float64' }, onError: { deadLetter: dead } });
    const rows: Frame[] = [];
    sdf.stream.sink((f) => void rows.push(f));
    const running = src.start();
    const seen = () => rows.reduce((n, f) => n + f.length, 0) + 50 * failed.length;
    await waitFor(() => failed.length === 1 && rows.reduce((n, f) => n + f.length, 0) >= 550, 30_000, () => `rows ${seen()}, failed ${failed.length}`);
    src.stop();
    await running;
    expect(String(failed[0].error)).toMatch(/at row \d+/);
    expect((failed[0].element as Buffer[]).map(String)).toContain('{"k":"key1","v":');
    // every good message outside the failed batch arrived once, with its values
    const got = rows.flatMap((f) => f.toRows()) as { k: string; v: number }[];
    const byV = new Map(got.map((r) => [r.v, r.k]));
    expect(byV.size).toBe(got.length);
    for (const r of got) expect(r.k).toBe(`key${(r.v * 4) % 5}`);
  }, 60_000);
});
