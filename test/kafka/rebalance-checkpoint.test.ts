import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore, runJob, Stream, type CheckpointStore, type KafkaPosition } from '../../src/index.js';
import { createKafka } from '../../src/kafka/config.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitFor } from './helpers.js';

// A second member joins while a checkpoint is being written: the checkpoint holds the cut it
// captured, and its offsets go to the group only for the partitions the job still owns.
let broker: KafkaTestBroker;
let k: TestKafka;
let dir: string;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { rc: 4 } });
  k = new TestKafka(broker);
  dir = mkdtempSync(join(tmpdir(), 'sf-kafka-rc-'));
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** 100 messages to each partition. */
const produceRound = (round: number) =>
  k.produce('rc', [0, 1, 2, 3].flatMap((partition) => range(0, 100).map((i) => ({ partition, key: null, value: `${round}-${partition}-${i}` }))));

/** A filesystem store whose commit marker writes wait while `hold` is set. */
function holdingStore(root: string) {
  const fs = new FsCheckpointStore(root);
  const gate = { hold: undefined as Promise<void> | undefined, holding: false };
  const store: CheckpointStore = {
    url: fs.url,
    async put(path, data) {
      if (path.startsWith('commits/') && gate.hold !== undefined) {
        gate.holding = true;
        await gate.hold;
      }
      await fs.put(path, data);
    },
    get: (path) => fs.get(path),
    list: (prefix) => fs.list(prefix),
    delete: (path) => fs.delete(path),
  };
  return { store, gate };
}

describe('a rebalance in the middle of a checkpoint', () => {
  it('keeps the checkpoint exact and commits its offsets only for partitions still owned', async () => {
    const root = join(dir, 'store');
    const { store, gate } = holdingStore(root);
    const group = 'g-rc';
    const src = Stream.fromKafkaBatched('rc', consumerConfig(broker, group), { startFrom: 'earliest', decode: 'string' }).name('events');
    const count = src.accumulate((n: number, batch: string[]) => n + batch.length, { start: 0 }).name('count');
    let seen = 0;
    count.sink((n) => void (seen = n));
    const job = runJob(src, { name: 'rc', checkpoint: { store }, handleSignals: false });

    await produceRound(1);
    await waitFor(() => seen === 400, 20_000, () => `seen ${seen}`);
    const first = await job.checkpoint();
    await waitFor(async () => [...(await k.committed(group, 'rc')).values()].every((o) => o === '100'), 10_000, () => 'checkpoint 1 offsets in the group');

    await produceRound(2);
    await waitFor(() => seen === 800, 20_000, () => `seen ${seen}`);
    let release!: () => void;
    gate.hold = new Promise<void>((resolve) => (release = resolve));
    const second = job.checkpoint(); // captured now (every partition at 200), held before its commit marker
    await waitFor(() => gate.holding, 10_000, () => 'commit marker write');

    // A second member, which never commits, joins and takes partitions from the job (on the job's
    // client library: kafkajs and librdkafka members cannot share a group).
    const other = createKafka(consumerConfig(broker, group), 'other').consumer({ ...consumerConfig(broker, group), maxWaitTimeInMs: 100 });
    let theirs: number[] = [];
    other.on(other.events.GROUP_JOIN, (e) => void (theirs = e.payload.memberAssignment.rc ?? []));
    await other.connect();
    await other.subscribe({ topic: 'rc', fromBeginning: true });
    try {
      await other.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      await waitFor(() => theirs.length > 0 && src.position().partitions.length === 4 - theirs.length, 20_000, () => `theirs ${theirs}, ours ${JSON.stringify(src.position())}`);
      const ours = src.position().partitions.map((p) => p.partition);

      gate.hold = undefined;
      release();
      const n = await second;
      expect(n).toBe(first + 1);
      // The checkpoint is the cut it captured: every partition at 200 and a count of 800.
      const meta = JSON.parse(readFileSync(join(root, 'metadata', `${n}.json`), 'utf8'));
      const pos: KafkaPosition = meta.sources.events;
      expect(pos.partitions).toEqual([0, 1, 2, 3].map((partition) => ({ partition, offset: '200' })));
      expect(JSON.parse(readFileSync(join(root, meta.nodes.count.file), 'utf8')).state).toBe(800);

      // Its offsets reached the group for the job's partitions; the new member's keep checkpoint 1's.
      await waitFor(async () => {
        const c = await k.committed(group, 'rc');
        return ours.every((p) => c.get(p) === '200');
      }, 10_000, () => 'checkpoint 2 offsets of our partitions');
      const committed = await k.committed(group, 'rc');
      expect(theirs.map((p) => committed.get(p))).toEqual(theirs.map(() => '100'));
    } finally {
      await other.disconnect();
      await job.stop();
    }
  }, 60_000);
});
