import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Stream, runJob, type KafkaPosition } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, waitCommittedToEnd, waitFor } from './helpers.js';

// Under a job, checkpoints decide: positions go into the checkpoint, group offsets follow durable
// checkpoints, and a restart seeks to the checkpoint's offsets whatever the group says.
let broker: KafkaTestBroker;
let k: TestKafka;
let dir: string;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { cp: 2 } });
  k = new TestKafka(broker);
  dir = mkdtempSync(join(tmpdir(), 'sf-kafka-cp-'));
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The job's graph: count messages per key into a checkpointed accumulate. */
function graph(crash: { armed: boolean }) {
  const src = Stream.fromKafkaBatched('cp', consumerConfig(broker, 'g-cp'), { startFrom: 'earliest', decode: 'json', maxBatchSize: 10 }).name('events');
  const totals = src
    .accumulate(
      (acc: Record<string, number>, batch: { key: string }[]) => {
        const next = { ...acc };
        for (const m of batch) next[m.key] = (next[m.key] ?? 0) + 1;
        return next;
      },
      { start: {} as Record<string, number> },
    )
    .name('counts');
  let latest: Record<string, number> = {};
  totals.sink(async (t) => {
    if (crash.armed) throw new Error('crash');
    latest = t;
    await sleep(10); // a slow sink (a throttle, not a wait for anything): the test checkpoints and crashes half-way
  });
  return { src, count: () => Object.values(latest).reduce((a, b) => a + b, 0), latest: () => latest };
}

describe('fromKafkaBatched under runJob with checkpoints', { timeout: 180_000 }, () => {
  it('restarts from the checkpoint, not the group, and counts every message exactly once', async () => {
    await k.produce('cp', range(0, 400).map((i) => ({ key: `k${i % 4}`, value: JSON.stringify({ key: `k${i % 4}`, i }) })));
    const store = join(dir, 'store');

    // Run 1: checkpoint, go on a little, then fail (no final checkpoint).
    const crash = { armed: false };
    const g1 = graph(crash);
    const job1 = runJob(g1.src, { name: 'kcp', checkpoint: { store }, handleSignals: false });
    job1.done.catch(() => undefined);
    await waitFor(() => g1.count() >= 100, 60_000, () => `count ${g1.count()}`);
    const n = await job1.checkpoint();
    const meta = JSON.parse(readFileSync(join(store, 'metadata', `${n}.json`), 'utf8'));
    const pos: KafkaPosition = meta.sources.events;
    expect(pos.kind).toBe('kafka');
    expect(pos.topic).toBe('cp');
    expect(pos.partitions.map((p) => p.partition)).toEqual([0, 1]);
    const atCheckpoint = pos.partitions.reduce((a, p) => a + Number(p.offset), 0);
    expect(atCheckpoint).toBeGreaterThanOrEqual(100);
    expect(atCheckpoint, 'the job had read everything before the checkpoint').toBeLessThan(400);
    await waitFor(() => g1.count() > atCheckpoint, 60_000, () => `count ${g1.count()}`); // past the checkpoint
    crash.armed = true;
    await expect(job1.done).rejects.toThrow(/crash/);

    // The group holds the checkpoint's offsets: under a job nothing is committed from refcounts.
    const committed = await k.committed('g-cp', 'cp');
    expect(pos.partitions.map((p) => committed.get(p.partition))).toEqual(pos.partitions.map((p) => p.offset));

    // Someone moves the group to the end meanwhile: the checkpoint still decides.
    // (The mock has no admin setOffsets: a plain consumer in the group reads everything and commits.)
    await k.readAll('cp', 400 - atCheckpoint, 60_000, 'g-cp');
    await waitCommittedToEnd(k, 'g-cp', 'cp');
    // Run 2: a fresh graph restores the counts and seeks to the checkpoint's offsets.
    const g2 = graph({ armed: false });
    const job2 = runJob(g2.src, { name: 'kcp', checkpoint: { store, every: { ms: 200 } }, handleSignals: false });
    expect(await job2.restored).toBe(n);
    // Every message read and through the sink (the position moves once an emit settled): a message
    // counted twice would show now.
    const read = () => g2.src.position().partitions.reduce((a, p) => a + Number(p.offset), 0);
    await waitFor(() => read() === 400, 60_000, () => `read ${read()}, count ${g2.count()}`);
    expect(g2.latest()).toEqual({ k0: 100, k1: 100, k2: 100, k3: 100 });
    await job2.stop();
    // The final checkpoint is committed to the group after the source stopped (a short-lived member does it).
    await waitCommittedToEnd(k, 'g-cp', 'cp');
    const last = Math.max(...readdirSync(join(store, 'commits')).map((f) => Number.parseInt(f)));
    const finalPos: KafkaPosition = JSON.parse(readFileSync(join(store, 'metadata', `${last}.json`), 'utf8')).sources.events;
    expect(finalPos.partitions.reduce((a, p) => a + Number(p.offset), 0)).toBe(400);

    // After the source stopped, a checkpoint's offsets still reach the group (through a short-lived member).
    await g2.src.checkpointCommitted(pos);
    const after = await k.committed('g-cp', 'cp');
    expect(pos.partitions.map((p) => after.get(p.partition))).toEqual(pos.partitions.map((p) => p.offset));
  });

  it('seek() is checked; position() before any assignment is the seeked one', () => {
    const src = Stream.fromKafkaBatched('cp', consumerConfig(broker, 'g-x'));
    expect(() => src.seek({ kind: 'kafka', topic: 'other', partitions: [] })).toThrow(/topic "other"/);
    expect(() => src.seek({ kind: 'kafka', topic: 'cp', partitions: [{ partition: 0, offset: '-1' }] })).toThrow(/bad entry/);
    const p: KafkaPosition = { kind: 'kafka', topic: 'cp', partitions: [{ partition: 1, offset: '7' }, { partition: 0, offset: '12345678901234567890' }] };
    src.seek(p);
    expect(src.position()).toEqual({ kind: 'kafka', topic: 'cp', partitions: [{ partition: 0, offset: '12345678901234567890' }, { partition: 1, offset: '7' }] });
  });
});
