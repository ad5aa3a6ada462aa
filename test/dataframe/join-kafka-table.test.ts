// A Kafka topic of keyed versions as the table side of an as-of join (a KTable), on the mock broker.
// The mock broker runs no log cleaner, so the compacted topic is produced as compaction leaves it
// (the latest record per key, tombstones kept). Against the whole log an order gets the version of
// its time; against the compacted topic the same for orders after the latest versions, while an
// earlier order finds nothing (compaction dropped the history it needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFrame, Stream, type KafkaRecord } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, waitFor } from '../kafka/helpers.js';
import { bag, collect } from './join-helpers.js';

const PROFILE = { user: 'utf8', tier: 'utf8', ts: 'timestamp' } as const;
const ORDER = { user: 'utf8', amount: 'float64', ts: 'timestamp' } as const;

let broker: KafkaTestBroker;
let k: TestKafka;

// Versions per user (ms after BASE) in time order (a version behind the table's watermark would be late); a tombstone
// (null: the user was deleted) is at its record's timestamp, after them all.
const BASE = Date.now() - 60_000;
const LOG: [string, string | null, number][] = [['ann', 'free', 10], ['bob', 'free', 12], ['cy', 'free', 15], ['ann', 'gold', 20], ['bob', 'silver', 25], ['dan', 'free', 35], ['ann', 'platinum', 40], ['cy', null, 0]];
const value = (tier: string | null, at: number) => (tier === null ? null : JSON.stringify({ tier, ts: BASE + at }));
/** What compaction keeps: each key's last record, in log order. */
const latestPerKey = (log: typeof LOG) => log.filter(([user], i) => !log.slice(i + 1).some(([later]) => later === user));

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { profiles: 1, 'profiles-compacted': 1 } });
  k = new TestKafka(broker);
  for (const [user, tier, at] of LOG) await k.produce('profiles', [{ key: user, value: value(tier, at) }]);
  for (const [user, tier, at] of latestPerKey(LOG)) await k.produce('profiles-compacted', [{ key: user, value: value(tier, at) }]);
}, 60_000);

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

/** Orders joined with the profiles read from `topic` from the beginning; the table side goes idle once read. */
async function joinOrders(topic: string, group: string): Promise<Record<string, unknown>[]> {
  // A record is a version at its `ts`; a tombstone is a version with a null tier, at its record's timestamp.
  const decode = (v: Buffer | null, rec: KafkaRecord<Buffer | null, Buffer | string | null>) => (v === null ? { user: String(rec.key), tier: null, ts: rec.timestamp } : { user: String(rec.key), ...(JSON.parse(v.toString()) as { tier: string; ts: number }) });
  const source = Stream.fromKafkaBatched(topic, consumerConfig(broker, group), { startFrom: 'earliest', decode });
  const profiles = new DataFrame(source, { example: PROFILE });
  let read = 0;
  let newest = 0;
  profiles.stream.sink((f) => {
    read += f.length;
    for (let i = 0; i < f.length; i++) newest = Math.max(newest, f.get('ts', i) as number);
  });
  const o = new Stream<unknown>();
  const orders = new DataFrame(o, { example: ORDER });
  const out = collect(orders.join(profiles, { on: 'user', asof: { on: 'ts' }, idleTimeout: '300ms' }));
  const running = source.start();
  try {
    const expected = topic === 'profiles' ? LOG.length : latestPerKey(LOG).length;
    await waitFor(() => read === expected, 30_000, () => `read ${read} of ${expected} profile versions`);
    const at = newest + 1;
    const early = BASE + 30; // after ann's gold, cy's free and bob's silver; before ann's platinum, dan's free and cy's tombstone
    o.emit({ user: ['ann', 'bob', 'cy', 'dan', 'eve', 'ann', 'cy', 'dan'], amount: [1, 2, 3, 4, 5, 6, 7, 8], ts: [at, at, at, at, at, early, early, early] });
    // The orders wait for the profiles' watermark; the profiles side, quiet while orders keep coming, goes idle.
    // A tick per poll keeps the orders side active and its watermark moving, as a live stream's.
    let tick = at;
    await waitFor(
      () => {
        o.emit({ user: ['tick'], amount: [0], ts: [++tick] });
        return out.filter((r) => r.user !== 'tick').length === 8;
      },
      30_000,
      () => `joined ${out.length} rows`,
    );
    return out.filter((r) => r.user !== "tick").map(({ user, amount, tier }) => ({ user, amount, tier }));
  } finally {
    source.stop();
    await running.catch(() => undefined);
  }
}

describe('a Kafka topic of keyed versions as the as-of table side', () => {
  it('joins each order with the version of its key at its time; a tombstone reads as no profile; the compacted topic serves orders after its versions', async () => {
    const after = [
      { user: 'ann', amount: 1, tier: 'platinum' },
      { user: 'bob', amount: 2, tier: 'silver' },
      { user: 'cy', amount: 3, tier: null },
      { user: 'dan', amount: 4, tier: 'free' },
      { user: 'eve', amount: 5, tier: null },
    ];
    const full = await joinOrders('profiles', 'g-full');
    expect(bag(full)).toEqual(bag([...after, { user: 'ann', amount: 6, tier: 'gold' }, { user: 'cy', amount: 7, tier: 'free' }, { user: 'dan', amount: 8, tier: null }]));
    const compacted = await joinOrders('profiles-compacted', 'g-compacted');
    expect(bag(compacted)).toEqual(bag([...after, { user: 'ann', amount: 6, tier: null }, { user: 'cy', amount: 7, tier: null }, { user: 'dan', amount: 8, tier: null }]));
  }, 90_000);
});
