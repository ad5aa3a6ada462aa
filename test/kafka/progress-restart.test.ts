import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeProgressClients, waitProcessed, type ProgressRecord } from '../../src/client/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { Member } from '../runtime/fixtures/members.js';
import { TestKafka, waitFor } from './helpers.js';

const script = new URL('./fixtures/payments-view-job.ts', import.meta.url).pathname;
const GROUP = 'payments-view';

let broker: KafkaTestBroker;
let k: TestKafka;
let producer: Producer;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { payments: 2 } });
  k = new TestKafka(broker);
  producer = k.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await closeProgressClients();
  await producer?.disconnect();
  await k?.close();
  await broker?.stop();
});

/** A user's newest total in the job's exactly-once output: the last line for them in the newest part holding them. */
function totalInOutput(out: string, user: string): { total: number; payments: number } | undefined {
  const parts = readdirSync(out)
    .filter((f) => /^part-\d+\.jsonl$/.test(f))
    .sort((a, b) => Number(a.slice(5, -6)) - Number(b.slice(5, -6)));
  let found: { total: number; payments: number } | undefined;
  for (const part of parts) {
    for (const line of readFileSync(join(out, part), 'utf8').split('\n')) {
      if (line === '') continue;
      const row = JSON.parse(line) as { user: string; total: number; payments: number };
      if (row.user === user) found = { total: row.total, payments: row.payments };
    }
  }
  return found;
}

/**
 * The publisher: `POST /pay?user=u&amount=n` produces the payment, waits until the job has it in a
 * committed checkpoint (so in its exactly-once output), then answers with the user's total as the
 * output says.
 */
function paymentService(out: string): Promise<Server> {
  const server = createServer((req, res) => {
    const q = new URL(req.url!, 'http://localhost').searchParams;
    const user = q.get('user')!;
    const amount = Number(q.get('amount'));
    (async () => {
      const meta = await producer.send({ topic: 'payments', acks: -1, messages: [{ key: user, value: JSON.stringify({ user, amount }) }] });
      await waitProcessed(meta, { group: GROUP, brokers: broker.brokers, level: 'checkpointed', timeoutMs: 90_000 });
      return totalInOutput(out, user);
    })().then(
      (total) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(total)),
      (e: unknown) => res.writeHead(504).end(String(e)),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('read-your-writes across a SIGKILL: an HTTP handler produces, waits, and reads its own write', () => {
  it('answers every payment with a total that includes it, exactly once, while the job is killed and restarted in the same group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-ryw-'));
    const out = join(dir, 'out');
    const args = [broker.brokers.join(','), GROUP, join(dir, 'store'), out];
    const server = await paymentService(out);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pay = async (user: string, amount: number) => {
      const res = await fetch(`${base}/pay?user=${user}&amount=${amount}`, { signal: AbortSignal.timeout(120_000) });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`pay ${user} ${amount}: ${res.status} ${body}`);
      return JSON.parse(body) as { total: number; payments: number };
    };
    const random = seededRandom(16);
    const expected = new Map<string, { total: number; payments: number }>();
    const record = (user: string, amount: number) => {
      const e = expected.get(user) ?? { total: 0, payments: 0 };
      expected.set(user, { total: e.total + amount, payments: e.payments + 1 });
      return { ...expected.get(user)! };
    };
    let member = new Member('job-1', script, args);
    const members = [member];
    try {
      for (let round = 0; round < 3; round++) {
        // A few payments against the running job: each answer includes its own payment.
        for (let i = 0; i < 3; i++) {
          const user = `u${Math.floor(random() * 4)}`;
          const amount = 1 + Math.floor(random() * 100);
          expect(await pay(user, amount)).toEqual(record(user, amount));
        }
        // SIGKILL at a random moment after a checkpoint this run committed, with a payment in flight.
        const commits = member.count('checkpoint committed');
        await waitFor(() => member.count('checkpoint committed') > commits, 30_000, () => `a checkpoint of ${member.name}: ${member.tail()}`);
        const user = `u${Math.floor(random() * 4)}`;
        const amount = 1 + Math.floor(random() * 100);
        const inFlight = pay(user, amount);
        await new Promise((r) => setTimeout(r, random() * 300));
        member.kill('SIGKILL');
        expect((await member.exited).signal).toBe('SIGKILL');
        // Restarted the way production does: same code, group and store.
        member = new Member(`job-${round + 2}`, script, args);
        members.push(member);
        expect(await inFlight).toEqual(record(user, amount));
      }
      // Every payment is in the output exactly once: the totals and counts match what was sent.
      for (const [user, e] of expected) expect(totalInOutput(out, user)).toEqual(e);
    } catch (e) {
      throw new Error(`${String(e)}\n${members.map((m) => `--- ${m.name}\n${m.tail(30)}`).join('\n')}`, { cause: e });
    } finally {
      member.kill('SIGTERM');
      await member.exited;
      server.close();
    }
  }, 480_000);
});

describe('read-your-writes under a partitioned job: the member owning a partition reports it', () => {
  it('keeps every wait working while partitions move between members, and never reports below a checkpoint', async () => {
    const group = 'payments-parts';
    const dir = mkdtempSync(join(tmpdir(), 'sf-ryw-parts-'));
    const args = [broker.brokers.join(','), group, join(dir, 'store'), 'partitioned'];
    const payBoth = async (amount: number) => {
      const metas = await Promise.all([0, 1].map((partition) => producer.send({ topic: 'payments', acks: -1, messages: [{ partition, value: JSON.stringify({ user: `p${partition}`, amount }) }] })));
      await Promise.all(metas.map((meta) => waitProcessed(meta, { group, brokers: broker.brokers, level: 'checkpointed', timeoutMs: 90_000 })));
    };
    const a = new Member('member-a', script, args);
    let b: Member | undefined;
    try {
      await payBoth(1); // A owns both partitions
      b = new Member('member-b', script, args);
      const member = b;
      await waitFor(() => member.lines.some((l) => l.message === 'kafka partitions assigned' && (l.partitions as number[]).length > 0), 90_000, () => `B never got a partition: ${member.tail()}`);
      await payBoth(2); // one partition each
      a.kill('SIGKILL');
      await a.exited;
      await payBoth(3); // B took A's partition over from its checkpoint
    } catch (e) {
      throw new Error(`${String(e)}\n--- a\n${a.tail(30)}\n--- b\n${b?.tail(30)}`, { cause: e });
    } finally {
      a.kill('SIGKILL');
      b?.kill('SIGTERM');
      await Promise.all([a.exited, b?.exited]);
    }
    // The raw progress records: per partition, a new owner starts at or above the checkpoint it took over.
    const high = await k.highWatermarks(`${group}.progress`);
    const count = [...high.values()].reduce((n, h) => n + Number(h), 0);
    const records = (await k.readAll(`${group}.progress`, count)).sort((x, y) => Number(x.offset) - Number(y.offset) || x.partition - y.partition).map((r) => JSON.parse(r.value!.toString()) as ProgressRecord);
    for (const partition of [0, 1]) {
      const mine = records.filter((r) => r.topic === 'payments' && r.partition === partition);
      expect(new Set(mine.map((r) => r.member)).size).toBeGreaterThan(1); // it did move
      let checkpointed = -1n;
      for (const r of mine) {
        expect(BigInt(r.processed)).toBeGreaterThanOrEqual(checkpointed);
        if (r.checkpointed !== null) {
          expect(BigInt(r.checkpointed)).toBeGreaterThanOrEqual(checkpointed);
          checkpointed = BigInt(r.checkpointed);
        }
      }
    }
  }, 480_000);
});
