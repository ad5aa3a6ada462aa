// Exactly-once file sinks under `partitioned`: each task's copy of `sinkToFiles` publishes its own
// parts (`part-<topic>-<partition>-<n>.jsonl`) once that task's checkpoint commits. A member of a
// real child process is SIGKILLed at random moments after observed checkpoints and restarted in
// the same group on the same store while a consumer polls the directory: no file it ever sees
// changes or is partial, no record shows up twice, and in the end every record is there once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireWriter, committedCheckpoints, jsonLogger, openStore, runJob, scopedStore, setLogger, Stream, type CheckpointStore } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { partsConsumer, visibleParts } from '../fixtures/parts.js';
import { seededRandom } from '../fixtures/random.js';
import { consumerConfig, TestKafka, waitCommittedToEnd, waitFor } from '../kafka/helpers.js';
import { Member } from './fixtures/members.js';

const script = new URL('./fixtures/scale-out-files-job.ts', import.meta.url).pathname;
const PARTITIONS = 3;
/** Generous: on a loaded CI machine a member's start (tsx) and a group rebalance can take long. */
const PATIENCE = 180_000;

let broker: KafkaTestBroker;
let kafka: TestKafka;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { orders: PARTITIONS } });
  kafka = new TestKafka(broker);
}, 60_000);
afterAll(async () => {
  await kafka?.close();
  await broker?.stop();
});

interface Order {
  id: number;
  p: number;
}

let produced = 0;
/** `n` more orders, order `id` into partition `id % PARTITIONS`. */
async function produce(n: number): Promise<void> {
  const orders = Array.from({ length: n }, (_, i) => ({ id: produced + i, p: (produced + i) % PARTITIONS }));
  produced += n;
  await kafka.produce('orders', orders.map((o) => ({ partition: o.p, key: String(o.id), value: JSON.stringify(o) })));
}

const parse = (text: string): Order[] => text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Order);

describe('partitioned job: exactly-once file sink per task', () => {
  it('SIGKILLed at random points and restarted in the same group: every record published exactly once, per task, never a changed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-scale-files-'));
    const out = join(dir, 'out');
    const args = [broker.brokers.join(','), 'files', join(dir, 'store'), out];
    const random = seededRandom(7);

    const consumer = partsConsumer(out);
    const { seen } = consumer;
    const stopConsumer = consumer.start();

    const members: Member[] = [];
    try {
      await produce(600);
      for (let run = 0; run < 6; run++) {
        const member = new Member(`m${run}`, script, args);
        members.push(member);
        const commits = () => member.lines.filter((l) => l.message === 'checkpoint committed' && Number(l.checkpoint) > 0).length;
        await waitFor(() => member.count('task restored') >= PARTITIONS, PATIENCE, () => `${member.name} restored no tasks:\n${member.tail()}`);
        // More traffic while it runs, then a kill: in turn right when a new part appears (a part
        // published before its checkpoint committed would be cut again differently after the
        // restart), and after 1-3 observed checkpoints at a random moment of the next interval.
        await produce(300);
        const killAfter = 1 + Math.floor(random() * 3);
        await waitFor(() => commits() >= killAfter, PATIENCE, () => `${member.name} committed no checkpoint:\n${member.tail()}`);
        if (run % 2 === 0) {
          await produce(60);
          await new Promise<void>((resolve) => (consumer.onNewFile = resolve));
        } else await new Promise((r) => setTimeout(r, random() * 150));
        member.kill('SIGKILL');
        expect((await member.exited).signal).toBe('SIGKILL');
        await produce(150); // while no member runs
      }
      // The last run reads everything and stops gracefully: its final checkpoints publish the rest.
      const last = new Member('last', script, args);
      members.push(last);
      await waitCommittedToEnd(kafka, 'files', 'orders', PATIENCE).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${last.tail(40)}`);
      });
      last.kill('SIGTERM');
      expect(await last.exited, last.tail()).toEqual({ code: 0, signal: null });
    } finally {
      stopConsumer();
      for (const m of members) m.kill('SIGKILL');
    }
    consumer.look();
    expect(consumer.problems).toEqual([]);

    // Each task publishes its own parts, numbered from 1, holding only its partition's records in offset order.
    for (const name of seen.keys()) expect(name).toMatch(/^part-orders-\d-\d{6}\.jsonl$/);
    for (let p = 0; p < PARTITIONS; p++) {
      const names = [...seen.keys()].filter((n) => n.startsWith(`part-orders-${p}-`)).sort();
      expect(names.map((n) => Number(n.slice(-12, -6)))).toEqual(names.map((_, i) => i + 1));
      const ids = names.flatMap((n) => parse(seen.get(n)!)).map((o) => o.id);
      const expected = Array.from({ length: produced }, (_, id) => id).filter((id) => id % PARTITIONS === p);
      expect(ids).toEqual(expected);
    }
  }, 900_000);
});

/**
 * A checkpoint store that freezes every request of `scope` from the moment its writer puts the
 * commit marker of a checkpoint whose sink state holds `needle` (set by `arm`), until thawed: the
 * writer process paused (GC, SIGSTOP, a stalled VM) right at that commit, so that another writer
 * takes the task over meanwhile.
 */
function freezeAtCommit(inner: CheckpointStore, scope: string) {
  let needle: string | undefined;
  let holding: string | undefined;
  let frozen: Promise<void> | undefined;
  let thaw = () => {};
  const gate = async (path: string, data?: Uint8Array) => {
    if (!path.startsWith(scope)) return;
    const local = path.slice(scope.length);
    const data_ = /^data\/(\d+)\/out\.json$/.exec(local);
    if (needle !== undefined && data_ && Buffer.from(data!).toString().includes(needle)) holding = `commits/${data_[1]}.json`;
    if (local === holding) {
      needle = holding = undefined;
      frozen = new Promise<void>((r) => (thaw = r));
    }
    await frozen;
  };
  const store: CheckpointStore = {
    url: inner.url,
    put: async (p, d) => (await gate(p, d), inner.put(p, d)),
    get: async (p) => (await gate(p), inner.get(p)),
    list: async (p) => (await gate(p), inner.list(p)),
    delete: async (p) => (await gate(p), inner.delete(p)),
  };
  return { store, arm: (text: string) => void (needle = text), frozen: () => frozen !== undefined, thaw: () => thaw() };
}

describe('partitioned job: a zombie task never publishes', () => {
  it('a member paused at a task commit, whose task was taken over meanwhile, publishes none of that checkpoint\'s parts', async () => {
    const logged: string[] = [];
    setLogger({ log: (_level, message) => void logged.push(message) });
    const dir = mkdtempSync(join(tmpdir(), 'sf-zombie-files-'));
    const out = join(dir, 'out');
    const raw = openStore(join(dir, 'store'));
    const paused = freezeAtCommit(raw, 'tasks/orders-0/');
    const orders = Stream.fromKafkaBatched('orders', consumerConfig(broker, 'zombie-files'), { startFrom: 'earliest', decode: 'json' }).name('orders');
    orders.flatten().sinkToFiles(out).name('out');
    const job = runJob(orders, { name: 'zombie', handleSignals: false, partitioned: { leaseMs: 1_000 }, checkpoint: { store: paused.store, every: { ms: 100 } } });
    const task0 = () => [...visibleParts(out)].filter(([name]) => name.startsWith('part-orders-0-'));
    try {
      await produce(30);
      await waitFor(() => task0().length > 0, 60_000, () => `task orders-0 published nothing: ${logged.join('; ')}`);
      // The next commit of task orders-0 freezes the member right before its marker is stored.
      const next = Math.ceil(produced / PARTITIONS) * PARTITIONS; // the next order of partition 0
      paused.arm(`"id":${next},`);
      await produce(30);
      await waitFor(paused.frozen, 60_000, () => 'task orders-0 committed nothing more');
      const before = task0();
      // Another writer takes the task over once the paused member's lease lapses (as a new owner does).
      const owner = await acquireWriter(scopedStore(raw, 'tasks/orders-0/'), { holder: 'new owner', leaseMs: 1_000, waitMs: 30_000 });
      const commits = () => logged.filter((m) => m === 'checkpoint committed').length;
      const committedBefore = commits();
      paused.thaw();
      await waitFor(() => logged.includes('task taken over by another member; dropped until the group assigns it again'), 60_000, () => logged.join('; '));
      await waitFor(() => commits() > committedBefore, 60_000, () => 'the frozen checkpoint did not settle'); // the job's checkpoint that held the frozen write
      // Its marker may have landed, but never counts; and nothing of that checkpoint was published.
      const counted = await committedCheckpoints(scopedStore(raw, 'tasks/orders-0/'));
      expect(task0()).toEqual(before);
      expect(task0().length).toBeLessThanOrEqual(counted.length);
      await owner.release();
    } finally {
      paused.thaw();
      await job.stop();
      setLogger(jsonLogger());
    }
  }, 120_000);
});
