// A partitioned job's caught-up task is not encoded and written again at every checkpoint (what made
// a rebalance wait for a periodic write of every task): only tasks whose state changed get a new
// checkpoint, and what the store holds restores every task exactly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedCheckpoints, loadCheckpoint, openStore, runJob, scopedStore, Stream, taskScope } from '../../src/index.js';
import { startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { consumerConfig, TestKafka } from '../kafka/helpers.js';

let broker: KafkaTestBroker;
beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { sums: 2 } });
}, 60_000);
afterAll(async () => {
  await broker?.stop();
});

type Event = { k: string; v: number };

/** Resolves once `cond()` holds, checked after each element the job reads (bounded generously: a failure bound, not a wait). */
function waitFor(cond: () => boolean, what: string, listeners: Set<() => void>, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!cond()) return;
      listeners.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => (listeners.delete(check), reject(new Error(`timed out: ${what}`))), ms);
    listeners.add(check);
    check();
  });
}

describe('partitioned job: unchanged tasks', () => {
  it('a checkpoint writes only the tasks that read something since their last one; the store restores each task exactly', async () => {
    const kafka = new TestKafka(broker);
    const expected = [new Map<string, number>(), new Map<string, number>()];
    const produce = async (events: (Event & { partition: number })[]) => {
      for (const e of events) expected[e.partition].set(e.k, (expected[e.partition].get(e.k) ?? 0) + e.v);
      await kafka.produce('sums', events.map(({ partition, ...e }) => ({ partition, value: JSON.stringify(e) })));
    };
    await produce(Array.from({ length: 200 }, (_, i) => ({ partition: i % 2, k: `k${i % 13}`, v: i })));

    const root = join(mkdtempSync(join(tmpdir(), 'sf-unchanged-')), 'store');
    let read = 0;
    const listeners = new Set<() => void>();
    const events = Stream.fromKafkaBatched('sums', consumerConfig(broker, 'unchanged'), { startFrom: 'earliest', decode: 'json' }).name('events');
    events
      .accumulate(
        (sums: Record<string, number>, batch: Event[]) => {
          for (const { k, v } of batch) sums[k] = (sums[k] ?? 0) + v;
          return sums;
        },
        { start: {} },
      )
      .name('sums');
    events.sink((batch: Event[]) => {
      read += batch.length;
      for (const l of [...listeners]) l();
    });
    // No periodic checkpoints: the test takes each one.
    const job = runJob(events, { name: 'unchanged', handleSignals: false, partitioned: true, checkpoint: { store: root, every: { ms: 3_600_000 } } });
    const store = await openStore(root);
    const task = (p: number) => scopedStore(store, taskScope('sums', p));
    // Each task's newest committed checkpoint (older ones are pruned).
    const written = async () => Promise.all([0, 1].map(async (p) => Math.max(-1, ...(await committedCheckpoints(task(p))))));
    try {
      await waitFor(() => read === 200, 'the job read all 200', listeners);
      await job.checkpoint();
      const caughtUp = await written();
      expect(caughtUp.every((n) => n >= 0)).toBe(true);

      // Nothing read since: no task is written again.
      await job.checkpoint();
      await job.checkpoint();
      expect(await written()).toEqual(caughtUp);

      // One element in partition 1: only its task gets a new checkpoint.
      await produce([{ partition: 1, k: 'k1', v: 1000 }]);
      await waitFor(() => read === 201, 'the job read the 201st', listeners);
      await job.checkpoint();
      expect(await written()).toEqual([caughtUp[0], caughtUp[1] + 1]);
    } finally {
      await job.stop();
      await kafka.close();
    }
    // Each task's newest checkpoint holds its partition's exact sums.
    for (const p of [0, 1]) {
      const loaded = await loadCheckpoint(task(p));
      expect(loaded?.states.sums).toEqual({ hasState: true, state: Object.fromEntries(expected[p]) });
    }
  });
});
