import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Stream, type ToKafkaNode } from '../../src/index.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, clientConfig, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

// One pipeline runs through a series of broker faults: topic ft -> fromKafkaBatched -> toKafka(ft-out).
let broker: KafkaTestBroker;
let k: TestKafka;
let src: ReturnType<typeof pipeline>['src'];
let out: ToKafkaNode<string[]>;
let seen: Set<number>;
let running: Promise<void>;
let next = 0;

function pipeline() {
  const s = Stream.fromKafkaBatched('ft', consumerConfig(broker, 'g-ft'), { startFrom: 'earliest', decode: 'string', maxBatchSize: 50 });
  const o = s.toKafka('ft-out', clientConfig(broker), { flatten: true, key: (v) => `k${v}` });
  const ids = new Set<number>();
  o.sink((batch) => batch.forEach((v) => ids.add(Number(v))));
  return { src: s, out: o, ids };
}

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 3, topics: { ft: 4, 'ft-out': 4 } });
  k = new TestKafka(broker);
  const p = pipeline();
  ({ src, out } = p);
  seen = p.ids;
  running = src.start();
  running.catch(() => undefined);
});

afterAll(async () => {
  src?.stop();
  await running?.catch(() => undefined);
  await out?.close();
  await k?.close();
  await broker?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Produce `n` new ids (in small sends, spread over the partitions) and wait until the pipeline wrote them all. */
async function roundTrip(n: number, during?: () => Promise<void>): Promise<void> {
  const ids = range(next, next + n);
  next += n;
  const producing = (async () => {
    for (let i = 0; i < ids.length; i += 20) {
      await k.produce('ft', ids.slice(i, i + 20).map((id) => ({ key: `k${id}`, value: String(id) })));
      await sleep(20);
    }
  })();
  await during?.();
  await producing;
  if (process.env.DEBUG_FAULTS) console.log('produced', n, new Date().toISOString());
  await waitFor(() => ids.every((id) => seen.has(id)), 20_000, () => `missing ${ids.filter((id) => !seen.has(id)).length} of ${n}; position ${JSON.stringify(src.position().partitions)}`);
}

describe('the pipeline recovers by itself from broker faults', () => {
  it('first, normal operation', async () => {
    await roundTrip(200);
  });

  it('offset commits the broker refuses are made again until one lands', async () => {
    await waitCommittedToEnd(k, 'g-ft', 'ft', 20_000);
    // Refused for good, not retried by the client: librdkafka reports it to the commit's caller.
    await broker.requestErrors(ApiKey.OffsetCommit, KafkaErrorCode.REBALANCE_IN_PROGRESS, 3);
    await roundTrip(1);
    await waitCommittedToEnd(k, 'g-ft', 'ft', 20_000);
  });

  it('a broker down for 5 s, then up', async () => {
    await roundTrip(300, async () => {
      await sleep(100);
      await broker.down(2);
      await sleep(5_000);
      await broker.up(2);
    });
  });

  it('request errors on Fetch, Produce and OffsetCommit', async () => {
    await roundTrip(200, async () => {
      await broker.requestErrors(ApiKey.Fetch, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 4);
      await sleep(300);
      await broker.requestErrors(ApiKey.Produce, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 4);
      await sleep(300);
      await broker.requestErrors(ApiKey.OffsetCommit, KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, 4);
    });
  });

  it('300 ms round-trip time', async () => {
    await broker.rtt(-1, 300);
    try {
      await roundTrip(60);
    } finally {
      await broker.rtt(-1, 0);
    }
  });

  it('in the end: every id was written, and the committed offsets are at the end', async () => {
    await waitCommittedToEnd(k, 'g-ft', 'ft', 20_000);
    const written = await k.readAll('ft-out', next);
    expect(new Set(written.map((m) => Number(m.value!.toString())))).toEqual(new Set(range(0, next)));
    for (const m of written) expect(m.key).toBe(`k${m.value}`);
  });
});
