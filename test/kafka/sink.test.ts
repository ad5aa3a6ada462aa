import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { DeadLetterHeader, Stream, kafkaDeadLetters, type DeadLetter } from '../../src/index.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, clientConfig, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

let broker: KafkaTestBroker;
let k: TestKafka;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { in: 2, out: 3, dlq: 1, in2: 1, out2: 1, in3: 2, out3: 2 } });
  k = new TestKafka(broker);
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

describe('toKafka', () => {
  it('writes every element, keyed, and passes it on only once acknowledged', async () => {
    const src = Stream.fromIterable(range(0, 500).map((i) => ({ id: i, user: `u${i % 5}` })));
    const out = src.toKafka('out', clientConfig(broker), { key: (x) => x.user, headers: (x) => ({ id: String(x.id) }) });
    const acked = out.sinkToList();
    await src.start();
    expect(acked).toHaveLength(500);
    const got = await k.readAll('out', 500);
    expect(got.map((m) => JSON.parse(m.value!.toString()).id).sort((a, b) => a - b)).toEqual(range(0, 500));
    // Same key, same partition, in order.
    const byKey = new Map<string, { partition: number; ids: number[] }>();
    for (const m of got.sort((a, b) => Number(a.offset) - Number(b.offset))) {
      const e = byKey.get(m.key!) ?? { partition: m.partition, ids: [] };
      expect(m.partition).toBe(e.partition);
      e.ids.push(Number(m.headers.id));
      byKey.set(m.key!, e);
    }
    for (const { ids } of byKey.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await out.close();
  });

  it('elements emitted together go out in one send', async () => {
    const src = new Stream<number>();
    const out = src.toKafka('out2', clientConfig(broker));
    const sends: number[] = [];
    type Batch = { byTopic: Map<string, unknown[]> };
    const sender = out.sender as unknown as { sendBatch(b: Batch): Promise<void> };
    const send = sender.sendBatch.bind(sender);
    sender.sendBatch = (b: Batch) => {
      sends.push([...b.byTopic.values()].reduce((n, l) => n + l.length, 0));
      return send(b);
    };
    await Promise.all(range(0, 100).map((i) => src.emit(i)));
    expect(sends.reduce((a, b) => a + b, 0)).toBe(100);
    expect(sends.length).toBeLessThanOrEqual(2);
    await out.close();
  });
});

describe('fromKafkaBatched -> toKafka', () => {
  it('commits the input only once the output is acknowledged', async () => {
    await k.produce('in3', range(0, 100).map((i) => ({ key: `k${i}`, value: String(i) })));
    await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 100_000); // writes fail until cleared
    const src = Stream.fromKafkaBatched('in3', consumerConfig(broker, 'g-through'), { startFrom: 'earliest', decode: 'string' });
    const out = src.toKafka('out3', clientConfig(broker), { flatten: true });
    const running = src.start();
    try {
      await waitFor(() => src.position().partitions.length === 2, 10_000, () => 'assignment');
      await new Promise((r) => setTimeout(r, 1_000));
      expect([...(await k.committed('g-through', 'in3')).values()]).toEqual(['-1', '-1']); // nothing written, nothing committed
    } finally {
      await broker.clearRequestErrors(ApiKey.Produce);
    }
    await waitCommittedToEnd(k, 'g-through', 'in3');
    const got = await k.readAll('out3', 100);
    expect(new Set(got.map((m) => Number(m.value!.toString())))).toEqual(new Set(range(0, 100)));
    src.stop();
    await running;
    await out.close();
  });
});

describe('dead letters', () => {
  it('undecodable messages and failing elements go to a dead-letter topic; the rest goes on; offsets end at the end', async () => {
    const messages = range(0, 200).map((i) => ({ key: `k${i}`, value: i % 50 === 7 ? `{broken ${i}` : JSON.stringify({ id: i }) }));
    await k.produce('in', messages);
    // Writes to the dead-letter topic fail a few times first: the input is committed only after they succeed.
    await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 3);
    const dlq = kafkaDeadLetters('dlq', clientConfig(broker));
    const letters = dlq.sinkToList();
    const src = Stream.fromKafka('in', consumerConfig(broker, 'g-dl'), { startFrom: 'earliest', decode: 'json' }).onError({ deadLetter: dlq });
    const ok: number[] = [];
    src
      .map((x: { id: number }) => {
        if (x.id % 50 === 13) throw new Error(`no good: ${x.id}`);
        return x.id;
      })
      .name('validate')
      .onError({ deadLetter: dlq })
      .sink((id) => void ok.push(id));
    const running = src.start();
    await waitFor(() => ok.length >= 192 && letters.length >= 8, 15_000, () => `ok ${ok.length}, letters ${letters.length}`);
    expect(ok.sort((a, b) => a - b)).toEqual(range(0, 200).filter((i) => i % 50 !== 7 && i % 50 !== 13));
    await waitCommittedToEnd(k, 'g-dl', 'in');
    src.stop();
    await running;
    await dlq.close();

    const dead = await k.readAll('dlq', 8);
    expect(dead).toHaveLength(8);
    const decodeFailures = dead.filter((m) => m.headers[DeadLetterHeader.nodeId] === src.id);
    const nodeFailures = dead.filter((m) => m.headers[DeadLetterHeader.nodeId] === 'validate');
    expect(decodeFailures.map((m) => m.value!.toString()).sort()).toEqual(['{broken 107', '{broken 157', '{broken 57', '{broken 7']);
    for (const m of decodeFailures) {
      expect(m.key).toBe(`k${m.value!.toString().split(' ')[1]}`); // the original key and bytes
      expect(m.headers[DeadLetterHeader.error]).toMatch(/JSON/);
    }
    expect(nodeFailures.map((m) => JSON.parse(m.value!.toString()).id).sort((a, b) => a - b)).toEqual([13, 63, 113, 163]);
    for (const m of dead) {
      expect(m.headers[DeadLetterHeader.topic]).toBe('in');
      expect(['0', '1']).toContain(m.headers[DeadLetterHeader.partition]);
      expect(m.headers[DeadLetterHeader.offset]).toMatch(/^\d+$/);
    }
    for (const m of nodeFailures) expect(m.headers[DeadLetterHeader.error]).toMatch(/^no good: \d+$/);
    expect((letters[0] as DeadLetter).nodeId).toBeDefined();
  });

  it('a batch with undecodable messages: the good ones go on as one batch, the bad ones to the dead letters', async () => {
    await k.produce('in2', ['1', 'x', '2', '3', 'y'].map((value) => ({ value })));
    const dlq = kafkaDeadLetters('dlq', clientConfig(broker));
    const letters = dlq.sinkToList();
    const src = Stream.fromKafkaBatched('in2', consumerConfig(broker, 'g-dl2'), {
      startFrom: 'earliest',
      decode: (v) => {
        const n = Number(v!.toString());
        if (Number.isNaN(n)) throw new TypeError(`not a number: ${v}`);
        return n;
      },
    }).onError({ deadLetter: dlq });
    const batches = src.sinkToList();
    const running = src.start();
    await waitFor(() => batches.flat().length >= 3 && letters.length >= 2, 10_000, () => `${batches.flat().length} ${letters.length}`);
    expect(batches.flat()).toEqual([1, 2, 3]);
    expect(letters.map((l) => (l.element as { value: Buffer }).value.toString())).toEqual(['x', 'y']);
    await waitCommittedToEnd(k, 'g-dl2', 'in2');
    src.stop();
    await running;
    await dlq.close();
  });
});
