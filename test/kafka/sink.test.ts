import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { DeadLetterHeader, Stream, kafkaDeadLetters, type DeadLetter } from '../../src/index.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, clientConfig, consumerConfig, offsetSum, range, waitCommittedToEnd, waitFor, watch } from './helpers.js';

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

describe('toKafka', { timeout: 180_000 }, () => {
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

describe('fromKafkaBatched -> toKafka', { timeout: 180_000 }, () => {
  it('commits the input only once the output is acknowledged, checked all along the run', async () => {
    await k.produce('in3', range(0, 100).map((i) => ({ key: `k${i}`, value: String(i) })));
    // The first writes fail (the producer retries with backoff): commits made before the output is
    // acknowledged would land meanwhile, while nothing is in the output topic yet.
    await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 12);
    const src = Stream.fromKafkaBatched('in3', consumerConfig(broker, 'g-through'), { startFrom: 'earliest', decode: 'string' });
    const out = src.toKafka('out3', clientConfig(broker), { flatten: true });
    // Each input message is written once (or more, after a retried write) before its offset is committed:
    // read the group first, then the output, and the output holds at least what the group committed.
    const watcher = watch(async () => {
      const committed = offsetSum(await k.committed('g-through', 'in3'));
      const written = offsetSum(await k.highWatermarks('out3'));
      expect(written, 'messages written vs input committed').toBeGreaterThanOrEqual(committed);
    });
    const running = src.start();
    try {
      await waitCommittedToEnd(k, 'g-through', 'in3');
    } finally {
      expect(await watcher.stop()).toBeGreaterThan(0);
      await broker.clearRequestErrors(ApiKey.Produce);
    }
    const got = await k.readAll('out3', 100);
    expect(new Set(got.map((m) => Number(m.value!.toString())))).toEqual(new Set(range(0, 100))); // a retried write may be appended twice
    src.stop();
    await running;
    await out.close();
  });
});

describe('dead letters', { timeout: 180_000 }, () => {
  it('undecodable messages and failing elements go to a dead-letter topic; the rest goes on; offsets end at the end', async () => {
    // Even ids to partition 0, odd ids to partition 1 (at offset (i - 1) / 2): every failure is in partition 1.
    const messages = range(0, 200).map((i) => ({ key: `k${i}`, value: i % 50 === 7 ? `{broken ${i}` : JSON.stringify({ id: i }), partition: i % 2 }));
    const failing = range(0, 200).filter((i) => i % 50 === 7 || i % 50 === 13);
    const deadOffsets = failing.map((i) => (i - 1) / 2);
    await k.produce('in', messages);
    // Writes to the dead-letter topic fail for a while first (the producer retries with backoff).
    await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 12);
    // All along the run: partition 1 is committed past a failed message only once its dead letter is
    // in the topic. Read the group first, then the dead-letter topic's end.
    const watcher = watch(async () => {
      const committed = Number((await k.committed('g-dl', 'in')).get(1));
      const written = offsetSum(await k.highWatermarks('dlq'));
      expect(written, `dead letters written vs partition 1 committed to ${committed}`).toBeGreaterThanOrEqual(deadOffsets.filter((o) => o < committed).length);
    });
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
    await waitFor(() => ok.length >= 192 && letters.length >= 8, 60_000, () => `ok ${ok.length}, letters ${letters.length}`);
    expect(ok.sort((a, b) => a - b)).toEqual(range(0, 200).filter((i) => i % 50 !== 7 && i % 50 !== 13));
    try {
      await waitCommittedToEnd(k, 'g-dl', 'in');
    } finally {
      expect(await watcher.stop()).toBeGreaterThan(0);
    }
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
      expect(m.headers[DeadLetterHeader.partition]).toBe('1');
      expect(deadOffsets).toContain(Number(m.headers[DeadLetterHeader.offset]));
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
    await waitFor(() => batches.flat().length >= 3 && letters.length >= 2, 60_000, () => `${batches.flat().length} ${letters.length}`);
    expect(batches.flat()).toEqual([1, 2, 3]);
    expect(letters.map((l) => (l.element as { value: Buffer }).value.toString())).toEqual(['x', 'y']);
    await waitCommittedToEnd(k, 'g-dl2', 'in2');
    src.stop();
    await running;
    await dlq.close();
  });
});
