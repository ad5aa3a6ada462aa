// A partitioned job's store: one checkpoint layout per task (DuckDB reads the state Parquet of
// each, the CLI lists and verifies them all), and fencing: a writer that lost its task's lease
// while it was paused cannot commit, on s3rver.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireWriter,
  committedCheckpoints,
  DataFrame,
  openStore,
  runJob,
  scopedStore,
  Stream,
  writeCheckpoint,
  WriterFencedError,
  type CheckpointStore,
} from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { consumerConfig, TestKafka, waitCommittedToEnd } from '../kafka/helpers.js';

let broker: KafkaTestBroker;
let s3: S3Server;
beforeAll(async () => {
  [broker, s3] = await Promise.all([startKafkaBroker({ brokers: 1, topics: { orders: 3 } }), startS3()]);
}, 60_000);
afterAll(async () => {
  await broker?.stop();
  await s3?.stop();
});

const root = new URL('../..', import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('partitioned job: task checkpoints in the store', () => {
  it('each task has its own checkpoints; DuckDB reads every task groupby Parquet; checkpoints list/verify cover the tasks', async () => {
    const kafka = new TestKafka(broker);
    const expected = new Map<string, number>();
    const messages = Array.from({ length: 300 }, (_, i) => {
      const e = { k: `user${i % 17}`, v: i % 9 };
      expected.set(e.k, (expected.get(e.k) ?? 0) + e.v);
      return { key: e.k, value: JSON.stringify(e) };
    });
    await kafka.produce('orders', messages);

    const store = join(mkdtempSync(join(tmpdir(), 'sf-tasks-')), 'orders');
    const orders = Stream.fromKafkaBatched('orders', consumerConfig(broker, 'tasks-store'), { startFrom: 'earliest', decode: 'json' }).name('orders');
    const sdf = new DataFrame(orders.map((batch: { k: string; v: number }[]) => ({ k: batch.map((e) => e.k), v: batch.map((e) => e.v) })), { example: { k: 'utf8', v: 'float64' } });
    sdf.groupby('k').col('v').sum().name('totals');
    const job = runJob(orders, { name: 'orders', handleSignals: false, partitioned: true, checkpoint: { store, every: { ms: 200 } } });
    await waitCommittedToEnd(kafka, 'tasks-store', 'orders', 30_000);
    await job.stop();
    await kafka.close();

    expect(readdirSync(join(store, 'tasks')).sort()).toEqual(['orders-0', 'orders-1', 'orders-2']);
    expect(readdirSync(store).filter((f) => f !== '.sf-tmp').sort()).toEqual(['tasks']); // nothing at the root but the store's temporary-file directory: all state is per task
    const db = await DuckDBInstance.create();
    const conn = await db.connect();
    const totals = new Map<string, number>();
    try {
      for (const task of ['orders-0', 'orders-1', 'orders-2']) {
        const scope = openStore(join(store, 'tasks', task));
        const [n] = await committedCheckpoints(scope);
        const rows = await conn.runAndReadAll(`SELECT * FROM read_parquet('${join(store, 'tasks', task, 'data', String(n), 'totals.parquet')}')`);
        for (const r of rows.getRowObjectsJson()) {
          expect(totals.has(String(r.k))).toBe(false); // a keyed topic: each key in one task only
          totals.set(String(r.k), Number(r['v.sum'] ?? r.v)); // the accumulator column, or the result column
        }
      }
    } finally {
      conn.closeSync();
    }
    expect(Object.fromEntries([...totals].sort())).toEqual(Object.fromEntries([...expected].sort()));

    const list = cli('checkpoints', 'list', store);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^task orders-0:\ncheckpoint\s+status.*\n\s+1\s+ok\s/m);
    expect(list.out).toContain('task orders-2:');
    const json = JSON.parse(cli('checkpoints', 'list', '--json', store).out) as { checkpoints: unknown[]; tasks: Record<string, { committed: boolean }[]> };
    expect(json.checkpoints).toEqual([]);
    expect(Object.keys(json.tasks)).toEqual(['orders-0', 'orders-1', 'orders-2']);
    expect(cli('checkpoints', 'verify', store).code).toBe(0);

    const [n1] = await committedCheckpoints(openStore(join(store, 'tasks', 'orders-1')));
    writeFileSync(join(store, 'tasks', 'orders-1', 'data', String(n1), 'totals.parquet'), 'not parquet');
    const damaged = cli('checkpoints', 'verify', store);
    expect(damaged.code).toBe(1);
    expect(damaged.out).toMatch(/task orders-1:\n(.*\n)*?\s+\d+\s+damaged\n\s+data\/\d+\/totals\.parquet/);
  }, 240_000); // four CLI runs under tsx

  it('refuses a partitioned job without a Kafka source, without a store, with a topic read twice or sources in different groups, with an error that says why', () => {
    const numbers = Stream.fromIterable([1, 2, 3]).name('numbers');
    numbers.accumulate((a: number, x: number) => a + x, { start: 0 });
    expect(() => runJob(numbers, { name: 'p', partitioned: true, checkpoint: { store: mkdtempSync(join(tmpdir(), 'sf-p-')) } })).toThrow(
      /partitioned job "p" reads only Kafka sources \(fromKafka or fromKafkaBatched\), whose partitions are its tasks; it has fromIterable/,
    );
    const orders = Stream.fromKafkaBatched('orders', consumerConfig(broker, 'refused'));
    expect(() => runJob(orders, { name: 'p', partitioned: true })).toThrow(/is partitioned but has no checkpoint store/);
    const other = Stream.fromKafkaBatched('orders', consumerConfig(broker, 'refused'));
    expect(() => runJob([orders, other], { name: 'p', partitioned: true, checkpoint: { store: mkdtempSync(join(tmpdir(), 'sf-p-')) } })).toThrow(/reads topic "orders" with two sources; read it once and split the stream/);
    const elsewhere = Stream.fromKafkaBatched('events', consumerConfig(broker, 'another'));
    expect(() => runJob([orders, elsewhere], { name: 'p', partitioned: true, checkpoint: { store: mkdtempSync(join(tmpdir(), 'sf-p-')) } })).toThrow(/in consumer groups "refused", "another"; give every source the same groupId/);
  });
});

/** A store whose requests wait while `frozen`: a writer process paused (GC, SIGSTOP, a stalled VM) mid-checkpoint. */
function freezable(inner: CheckpointStore) {
  let thaw: (() => void) | undefined;
  let frozen: Promise<void> | undefined;
  const gate = async () => void (await frozen);
  const store: CheckpointStore = {
    url: inner.url,
    put: async (p, d) => (await gate(), inner.put(p, d)),
    get: async (p) => (await gate(), inner.get(p)),
    list: async (p) => (await gate(), inner.list(p)),
    delete: async (p) => (await gate(), inner.delete(p)),
  };
  return {
    store,
    freeze: () => void (frozen = new Promise<void>((r) => (thaw = r))),
    thaw: () => (thaw?.(), (frozen = undefined)),
  };
}

const input = (v: number) => ({ job: 'fenced', sources: { events: { kind: 'kafka', topic: 'events', partitions: [{ partition: 0, offset: String(v) }] } }, nodes: { sums: { kind: 'accumulate', state: { v } } }, pipeline: { description: { nodes: [], edges: [] } } });

describe('fencing a zombie task writer (s3rver)', () => {
  it('a writer paused past its lease, whose task was taken over, cannot commit after the new owner', async () => {
    const s3store = openStore(`s3://${s3.bucket}/fencing`, s3.clientConfig());
    const task = scopedStore(s3store, 'tasks/events-0');
    const zombie = freezable(task);
    const old = await acquireWriter(zombie.store, { holder: 'old', leaseMs: 1_500 });
    expect(await writeCheckpoint(zombie.store, input(1), { lease: old })).toBe(1);

    zombie.freeze();
    const stale = writeCheckpoint(zombie.store, input(2), { lease: old }); // starts, then the process "pauses"
    const owner = await acquireWriter(task, { holder: 'new', leaseMs: 1_500, waitMs: 10_000 }); // waits out the old lease
    expect(owner.epoch).toBe(old.epoch + 1);
    expect(await writeCheckpoint(task, input(3), { lease: owner })).toBe(2);
    zombie.thaw();

    await expect(stale).rejects.toBeInstanceOf(WriterFencedError);
    await expect(writeCheckpoint(zombie.store, input(4), { lease: old })).rejects.toThrow(/Writer old \(epoch 1\) of checkpoint store .* was fenced: new took the store over/);
    expect(await committedCheckpoints(task)).toEqual([2, 1]);
    await owner.release();
  }, 30_000);

  it('a live holder is refused with its name; a released one is taken over at once', async () => {
    const task = scopedStore(openStore(`s3://${s3.bucket}/refused`, s3.clientConfig()), 'tasks/events-1');
    const first = await acquireWriter(task, { holder: 'first', leaseMs: 60_000 });
    await expect(acquireWriter(task, { holder: 'second', waitMs: 300 })).rejects.toThrow(/is in use by another writer, first/);
    await first.release();
    const second = await acquireWriter(task, { holder: 'second', waitMs: 0 });
    expect(second.epoch).toBe(first.epoch + 1);
    await expect(first.check()).rejects.toThrow(/released the store and may not commit/);
    await second.check();
    await second.release();
  }, 60_000);
});
