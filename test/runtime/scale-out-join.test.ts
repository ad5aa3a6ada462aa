// A partitioned job over two co-partitioned topics: task p joins partition p of `orders` with
// partition p of `payments`, so a join scales out like a keyed aggregate. Two members of real
// child processes share the tasks; one is SIGKILLed at random moments after observed progress
// and restarted in the same group on the same store. The pairs published (exactly-once file
// sink) equal the batch join of everything produced: each pair once, none missing.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { TestKafka, waitCommittedToEnd, waitFor } from '../kafka/helpers.js';
import { Member } from './fixtures/members.js';

const script = new URL('./fixtures/scale-out-join-job.ts', import.meta.url).pathname;
const KEYS = 13;
/** Generous: on a loaded CI machine a member's start (tsx) and a group rebalance can take long. */
const PATIENCE = 180_000;

let broker: KafkaTestBroker;
let kafka: TestKafka;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { orders: 4, payments: 4 } });
  kafka = new TestKafka(broker);
}, 60_000);
afterAll(async () => {
  await kafka?.close();
  await broker?.stop();
});

let produced = 0;
/** `n` more orders and their payments (payment i pays order i, 5 ms later), keyed, so both of a key share a partition number. */
async function produce(n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, j) => produced + j);
  produced += n;
  const event = (i: number, ts: number) => ({ key: `k${i % KEYS}`, value: JSON.stringify({ k: `k${i % KEYS}`, ts, i }) });
  await kafka.produce('orders', ids.map((i) => event(i, i * 10)));
  await kafka.produce('payments', ids.map((i) => event(i, i * 10 + 5)));
}

function published(dir: string): { order: number; payment: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1))
    .map((l) => JSON.parse(l) as { order: number; payment: number });
}

describe('partitioned job over two co-partitioned topics: a join scales out', () => {
  it('2 members, one SIGKILLed and restarted twice while traffic flows: the pairs published are the batch join, each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-scale-join-'));
    const out = join(dir, 'out');
    const args = [broker.brokers.join(','), 'paid', join(dir, 'store'), out];
    const random = seededRandom(3);
    let started = 0;
    const start = () => new Member(`m${started++}`, script, args);
    const live = [start(), start()];
    const all = [...live];
    const restores = () => all.reduce((n, m) => n + m.count('task restored'), 0);
    const commits = () => all.reduce((n, m) => n + m.lines.filter((l) => l.message === 'checkpoint committed' && Number(l.checkpoint) > 0).length, 0);
    const tails = () => all.map((m) => `--- ${m.name}\n${m.tail()}`).join('\n');
    try {
      await produce(150);
      await waitFor(() => restores() >= 4 && commits() >= 2, PATIENCE, () => `no tasks: ${tails()}`);
      for (let round = 0; round < 2; round++) {
        await produce(150);
        await new Promise((r) => setTimeout(r, random() * 1_500));
        const victim = live.splice(Math.floor(random() * live.length), 1)[0];
        const before = restores();
        victim.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');
        await waitFor(() => restores() > before, PATIENCE, () => `round ${round}: no task taken over: ${tails()}`);
        const joined = start();
        live.push(joined);
        all.push(joined);
        await waitFor(() => joined.count('task restored') > 0, PATIENCE, () => `round ${round}: ${joined.name} got no task: ${tails()}`);
      }
      await produce(100);
      for (const topic of ['orders', 'payments']) await waitCommittedToEnd(kafka, 'paid', topic, PATIENCE).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${tails()}`);
      });
      for (const m of live) m.kill('SIGTERM');
      for (const m of live) expect(await m.exited, m.tail()).toEqual({ code: 0, signal: null });
    } finally {
      for (const m of all) m.kill('SIGKILL');
    }
    // The batch join: order i meets payment i only (5 ms apart; any other payment of its key is 5 ms + 10·n away).
    const pairs = published(out).map((p) => `${p.order}-${p.payment}`);
    expect(pairs.length).toBe(new Set(pairs).size);
    expect(pairs.sort()).toEqual(Array.from({ length: produced }, (_, i) => `${i}-${i}`).sort());
  }, 900_000);
});
