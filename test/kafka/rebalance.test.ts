import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Stream } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

// Two members of one consumer group: this process, and a second one in a child process that is
// SIGKILLed (a crash: its partitions come back after the session timeout) or SIGTERMed (a stop:
// it commits, leaves, and its partitions come back at once).
const memberJob = new URL('./fixtures/member.ts', import.meta.url).pathname;

let broker: KafkaTestBroker;
let k: TestKafka;
const children: ChildProcess[] = [];

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { 'rb-sigkill': 4, 'rb-sigterm': 4 } });
  k = new TestKafka(broker);
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The member in this process: batches go through an asynchronous step, so elements are in flight during rebalances. */
function localMember(topic: string, group: string) {
  const src = Stream.fromKafkaBatched(topic, consumerConfig(broker, group), { startFrom: 'earliest', decode: 'string', maxBatchSize: 25 });
  const ids: number[] = [];
  src.sink(async (batch) => {
    await sleep(2);
    for (const v of batch) ids.push(Number(v));
  });
  return { src, ids, running: src.start(), partitions: () => src.position().partitions.map((p) => p.partition) };
}

/** The member in a child process: what its sink took (printed before its offsets can be committed) and its assignment. */
function childMember(topic: string, group: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', memberJob, broker.bootstrap, group, topic], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const ids: number[] = [];
  let partitions: number[] = [];
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (l.startsWith('ids ')) for (const v of l.slice(4).split(',')) ids.push(Number(v));
    else if (l.startsWith('partitions ')) partitions = l.length > 11 ? l.slice(11).split(',').map(Number) : [];
    else out.push(l);
  });
  createInterface({ input: child.stderr }).on('line', (l) => err.push(l));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    ids,
    out,
    partitions: () => partitions,
    show: () => `child: ${out.slice(-5).join(' | ')}\n${err.slice(-10).join('\n')}`,
    signal: (s: NodeJS.Signals) => (child.kill(s), exited),
  };
}

// A child under tsx takes tens of seconds to start on a loaded machine; a crashed member's partitions come back after the session timeout.
describe('consumer group rebalances with a member in another process', { timeout: 300_000 }, () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`the second process takes over partitions; ${signal === 'SIGKILL' ? 'killed' : 'stopped'} with ${signal}, they come back: nothing is lost`, async () => {
      const topic = `rb-${signal.toLowerCase()}`;
      const group = `g-${topic}`;
      // Messages keep coming until the rebalance has been seen, then 1000 more: the rebalance happens
      // while messages arrive, however long the group takes to settle on this machine.
      let produced = 0;
      let stopAt = Infinity;
      const producing = (async () => {
        while (produced < stopAt) {
          await k.produce(topic, range(produced, produced + 50).map((j) => ({ key: `k${j}`, value: String(j) })));
          produced += 50;
          await sleep(15);
        }
      })();
      const stopProducing = () => ((stopAt = Math.min(stopAt, produced + 1000)), producing);

      const a = localMember(topic, group);
      try {
        await waitFor(() => a.ids.length > 200, 30_000, () => `a got ${a.ids.length}`);
        expect(a.partitions()).toHaveLength(4);

        const b = childMember(topic, group);
        await waitFor(() => b.ids.length > 0 && a.partitions().length < 4, 150_000, () => `b got ${b.ids.length}, a has ${a.partitions()}\n${b.show()}`);
        void stopProducing();
        // The two members split the partitions between them.
        await waitFor(() => [...a.partitions(), ...b.partitions()].length === 4, 30_000, () => `a ${a.partitions()}, b ${b.partitions()}`);
        expect([...a.partitions(), ...b.partitions()].sort()).toEqual([0, 1, 2, 3]);
        await waitFor(() => b.ids.length >= 100, 60_000, () => `b got ${b.ids.length}\n${b.show()}`);

        const exit = await b.signal(signal);
        expect(exit, b.show()).toEqual(signal === 'SIGKILL' ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null });
        if (signal === 'SIGTERM') {
          // It committed what it had done before it left: the group holds at least its final position
          // (this member, resuming from there, only commits further).
          expect(b.out).toContain('stopped');
          const stopping = b.out.find((l) => l.startsWith('stopping '));
          const position = JSON.parse(stopping!.slice(9)) as { partition: number; offset: string }[];
          expect(position.length, stopping).toBeGreaterThan(0);
          const committed = await k.committed(group, topic);
          for (const p of position) expect(Number(committed.get(p.partition)), `partition ${p.partition}`).toBeGreaterThanOrEqual(Number(p.offset));
        }
        await producing;
        const total = produced;
        const seen = () => new Set([...a.ids, ...b.ids]);
        await waitFor(() => a.partitions().length === 4 && seen().size >= total, 60_000, () => `seen ${seen().size}/${total}, a has ${a.partitions()}`);
        expect([...seen()].sort((x, y) => x - y)).toEqual(range(0, total));
        // The second member read each message once (its partitions never moved while it lived).
        // This one may read some twice: what it had in flight when its partitions moved, and what the
        // second one took but had not committed when it went, come back from the group's offsets.
        expect(new Set(b.ids).size).toBe(b.ids.length);
        await waitCommittedToEnd(k, group, topic, 30_000);
      } finally {
        await stopProducing();
        a.src.stop();
        await a.running;
      }
    });
  }
});
