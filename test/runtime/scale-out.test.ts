// Test (d) of issue 9: three processes of one partitioned job in one consumer group over a
// 4-partition keyed topic while traffic flows; members are SIGKILLed or stopped and restarted at
// random (3 → 2 → 3, again and again), with s3rver as the shared store. The output topic's last
// record per key must equal that key's exact sum over everything produced.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints, openStore, verifyCheckpoints } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { seededRandom } from '../fixtures/random.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { TestKafka, waitCommittedToEnd, waitFor } from '../kafka/helpers.js';
import { Member } from './fixtures/members.js';

const script = new URL('./fixtures/scale-out-job.ts', import.meta.url).pathname;
const KEYS = 40;
const ROUNDS = 4;
/** Generous: on a loaded CI machine a member's start (tsx) and a group rebalance can take long. */
const PATIENCE = 180_000;

let broker: KafkaTestBroker;
let s3: S3Server;
let kafka: TestKafka;
beforeAll(async () => {
  [broker, s3] = await Promise.all([startKafkaBroker({ brokers: 1, topics: { events: 4, sums: 4 } }), startS3()]);
  kafka = new TestKafka(broker);
}, 60_000);
afterAll(async () => {
  await kafka?.close();
  await broker?.stop();
  await s3?.stop();
});

/** Keyed traffic in the background; `expected` is the exact sum per key of everything acknowledged. */
function traffic(seed: number) {
  const random = seededRandom(seed);
  const expected = new Map<string, number>();
  const producer = new Kafka({ clientId: 'scale-out-traffic', brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  let running = true;
  let produced = 0;
  const done = (async () => {
    await producer.connect();
    while (running) {
      const batch = Array.from({ length: 40 }, () => ({ k: `key${Math.floor(random() * KEYS)}`, v: Math.floor(random() * 201) - 100 }));
      await producer.send({ topic: 'events', acks: -1, messages: batch.map((e) => ({ key: e.k, value: JSON.stringify(e) })) });
      for (const e of batch) expected.set(e.k, (expected.get(e.k) ?? 0) + e.v);
      produced += batch.length;
      await new Promise((r) => setTimeout(r, 50));
    }
    await producer.disconnect();
  })();
  return { expected, produced: () => produced, stop: () => ((running = false), done) };
}

// It found a member that waited for a task's lease without rejoining the group: every rebalance
// then waited for it, and a member that joined got no partition for minutes (kafka/source.ts,
// awaitStart). STREAMFRAME_MEMBER_LOGS=<dir> keeps each member's log while it runs.
describe('partitioned job: scale-out over a consumer group with task state on S3', () => {
  it(`3 members, ${ROUNDS} rounds of SIGKILL or stop and restart (3 → 2 → 3) while traffic flows: the last output per key is its exact sum`, async () => {
    const group = 'scale-out';
    const store = `s3://${s3.bucket}/jobs/scale-out`;
    const args = [broker.brokers.join(','), group, s3.endpoint, store];
    const random = seededRandom(11);
    let started = 0;
    const start = () => new Member(`m${started++}`, script, args);
    const live: Member[] = [start(), start(), start()];
    const all = [...live];
    // Checkpoints that wrote at least one task (a member without tasks commits nothing).
    const commits = () => all.reduce((n, m) => n + m.lines.filter((l) => l.message === 'checkpoint committed' && Number(l.checkpoint) > 0).length, 0);
    const restores = () => all.reduce((n, m) => n + m.count('task restored'), 0);
    const progressAfter = async (what: string, commitsBefore: number, restoresBefore = 0) =>
      waitFor(() => commits() > commitsBefore + live.length && restores() >= restoresBefore, PATIENCE, () => `${what}: ${all.map((m) => `--- ${m.name}\n${m.tail()}`).join('\n')}`);

    const rounds = async () => {
      await progressAfter('first checkpoints', 0, 4);
      let kills = 0;
      let stops = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // 3 → 2: one member dies or stops; the others take its tasks over from the store.
        const victim = live.splice(Math.floor(random() * live.length), 1)[0];
        const graceful = round % 2 === 1; // SIGKILL and SIGTERM in turn, at a random moment after observed progress
        await new Promise((r) => setTimeout(r, random() * 2_000));
        const before = { commits: commits(), restores: restores() };
        victim.kill(graceful ? 'SIGTERM' : 'SIGKILL');
        const exit = await victim.exited;
        if (graceful) {
          expect(exit, victim.tail()).toEqual({ code: 0, signal: null });
          stops++;
        } else {
          expect(exit.signal).toBe('SIGKILL');
          kills++;
        }
        await progressAfter(`round ${round}: survivors take over`, before.commits, before.restores + 1);
        // 2 → 3: a new process with the same code, group and store joins and takes some tasks.
        const joined = start();
        live.push(joined);
        all.push(joined);
        await waitFor(() => joined.count('task restored') > 0, PATIENCE, () => `round ${round}: ${joined.name} got no task:\n${joined.tail()}`);
        await progressAfter(`round ${round}: after the join`, commits());
      }
      expect(kills).toBeGreaterThan(0);
      expect(stops).toBeGreaterThan(0);
    };
    const load = traffic(5);
    try {
      try {
        await rounds();
      } finally {
        await load.stop();
      }
      await waitCommittedToEnd(kafka, group, 'events', PATIENCE).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${all.map((m) => `--- ${m.name}\n${m.tail(40)}`).join('\n')}`);
      });
      for (const m of live) m.kill('SIGTERM');
      for (const m of live) expect(await m.exited, m.tail()).toEqual({ code: 0, signal: null });
    } finally {
      for (const m of all) m.kill('SIGKILL'); // whatever still runs after a failure
    }

    const outputs = [...(await kafka.highWatermarks('sums')).values()].reduce((a, h) => a + Number(h), 0);
    const last = new Map<string, number>();
    for (const r of await kafka.readAll('sums', outputs, PATIENCE)) last.set(r.key!, Number(r.value!.toString()));
    expect(Object.fromEntries([...last].sort())).toEqual(Object.fromEntries([...load.expected].sort()));
    expect(load.produced()).toBeGreaterThan(1000);

    // Task checkpoints on S3: the restores above read them; the catalog sees them per task.
    const root = openStore(store, s3.clientConfig());
    for (let p = 0; p < 4; p++) {
      const task = openStore(`${store}/tasks/events-${p}`, s3.clientConfig());
      expect((await listCheckpoints(task)).filter((c) => c.committed).length).toBeGreaterThan(0);
      for (const v of await verifyCheckpoints(task)) expect(v.status).not.toBe('damaged');
    }
    expect((await listCheckpoints(root)).length).toBe(0);
  }, 1_200_000);
});
