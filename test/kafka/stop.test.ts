import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaPosition } from '../../src/index.js';
import { createKafka } from '../../src/kafka/config.js';
import { ApiKey, KafkaErrorCode, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { TestKafka, consumerConfig, range, testClient, waitFor } from './helpers.js';

// A checkpointed fromKafkaBatched → DataFrame groupby job in a child process, stopped by a signal
// at the moments deployments stop jobs: caught up and idle, while joining, mid-rebalance.
const job = new URL('./fixtures/stop-job.ts', import.meta.url).pathname;
const MESSAGES = 400;
/** Generous even on a loaded 2-core machine: a stop that does not finish in this time hangs. */
const EXIT_LIMIT_MS = 60_000;
/**
 * A child's cold start: loading streamframe under tsx costs about 3.3 s of CPU (1.6 s from dist/),
 * which took 40 s of wall time with three starting at once at load 18, and over 60 s at load 34.
 */
const START_LIMIT_MS = 180_000;

let broker: KafkaTestBroker;
let k: TestKafka;
let dir: string;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { stop: 4 } });
  k = new TestKafka(broker);
  dir = mkdtempSync(join(tmpdir(), 'sf-kafka-stop-'));
  await k.produce('stop', range(0, MESSAGES).map((i) => ({ key: `k${i % 13}`, value: JSON.stringify({ k: `k${i % 13}`, v: i }) })));
});

afterAll(async () => {
  await k?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The job as a child process; its stdout lines and stderr (JSON log) lines as they come. */
function startJob(group: string, store: string) {
  // librdkafka logs a rebalance at info (kafkajs at error), which the mid-rebalance test waits for.
  const env = testClient === 'confluent' ? { ...process.env, STREAMFRAME_LOG_LEVEL: 'info' } : process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', job, broker.bootstrap, group, store], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => err.push(l));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const show = () => `stdout: ${out.slice(-10).join(' | ')}\nstderr: ${err.slice(-10).join('\n')}`;
  return {
    out,
    err,
    show,
    line: (prefix: string) => out.find((l) => l.startsWith(prefix)),
    /** Wait for `cond`: `ms` once the child has started (restored its checkpoint), which may take START_LIMIT_MS. */
    async until(cond: () => boolean, ms = 60_000) {
      await waitFor(() => out.some((l) => l.startsWith('restored ')), START_LIMIT_MS, () => `the child did not start\n${show()}`);
      await waitFor(cond, ms, show);
    },
    /**
     * Wait until the newest committed checkpoint holds every message and the group holds its
     * offsets: the job read everything and, with nothing left to read, is idle. (Counting commits
     * after the last batch is not enough: a checkpoint cut before that batch may be committed after
     * it, on a slow disk, and the group's offsets are committed after the commit marker.)
     */
    async idle() {
      const holdsAll = async () => {
        const last = out.filter((l) => l.startsWith('committed ')).at(-1);
        let pos: KafkaPosition;
        try {
          if (last === undefined) return false;
          pos = finalPosition(store, Number(last.split(' ')[1]));
        } catch {
          return false; // pruned since (keep 10): a newer one is committed
        }
        const committed = await k.committed(group, 'stop');
        return sum(pos) === MESSAGES && pos.partitions.every((p) => committed.get(p.partition) === p.offset);
      };
      await waitFor(holdsAll, 60_000, show);
    },
    /** Send `signal` and wait for the exit; the stop must not hang. */
    async stop(signal: NodeJS.Signals) {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no exit within ${EXIT_LIMIT_MS} ms of ${signal}\n${show()}`)), EXIT_LIMIT_MS)));
      try {
        return await Promise.race([exited, hang]);
      } finally {
        clearTimeout(timer);
        child.kill('SIGKILL');
      }
    },
    kill: () => child.kill('SIGKILL') && exited,
  };
}

function finalPosition(store: string, checkpoint: number): KafkaPosition {
  return JSON.parse(readFileSync(join(store, 'metadata', `${checkpoint}.json`), 'utf8')).sources.events;
}

/** The stopped job's `done <checkpoint> <rows>` line: its final checkpoint is its last committed one. */
function finalCheckpoint(run: ReturnType<typeof startJob>): { checkpoint: number; rows: number } {
  const [, checkpoint, rows] = (run.line('done ') ?? '').split(' ').map(Number);
  expect(run.out.filter((l) => l.startsWith('committed ')).at(-1)).toBe(`committed ${checkpoint}`);
  return { checkpoint, rows };
}

async function expectGroupHolds(group: string, position: KafkaPosition): Promise<void> {
  const committed = await k.committed(group, 'stop');
  expect(position.partitions.map((p) => [p.partition, committed.get(p.partition)])).toEqual(position.partitions.map((p) => [p.partition, p.offset]));
}

const sum = (pos: KafkaPosition) => pos.partitions.reduce((a, p) => a + Number(p.offset), 0);

// Child processes under tsx take tens of seconds to start on a loaded machine (START_LIMIT_MS): the tests get minutes.
describe('graceful stop of a checkpointed Kafka job (a child process, default consumer settings)', { timeout: 600_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} when caught up and idle: final checkpoint, group offsets committed, prompt exit`, async () => {
      const group = `idle-${signal}`;
      const store = join(dir, group);
      const run = startJob(group, store);
      await run.until(() => run.out.includes(`rows ${MESSAGES}`));
      await run.idle();
      expect(await run.stop(signal), run.show()).toEqual({ code: 0, signal: null });
      const { checkpoint, rows } = finalCheckpoint(run);
      expect(rows).toBe(MESSAGES);
      const pos = finalPosition(store, checkpoint);
      expect(pos.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
      expect(sum(pos)).toBe(MESSAGES);
      await expectGroupHolds(group, pos);
    });
  }

  it('SIGTERM while joining (a SIGKILLed predecessor in the group, the coordinator answering "rebalance in progress")', async () => {
    const group = 'joining';
    const store = join(dir, group);
    const first = startJob(group, store);
    await first.until(() => first.out.includes(`rows ${MESSAGES}`));
    await first.idle();
    await first.kill();
    const before = finalPosition(store, Number(first.out.filter((l) => l.startsWith('committed ')).at(-1)!.split(' ')[1]));
    // Hold the join open for as long as the test needs, whatever the machine's speed.
    await broker.requestErrors(ApiKey.JoinGroup, KafkaErrorCode.REBALANCE_IN_PROGRESS, 1_000);
    try {
      const second = startJob(group, store);
      // The join waits and says so.
      await second.until(() => second.err.some((l) => l.includes('still joining')));
      expect(await second.stop('SIGTERM'), second.show()).toEqual({ code: 0, signal: null });
      expect(second.err.some((l) => l.includes('kafka partitions assigned'))).toBe(false);
      const restored = Number(second.line('restored ')!.split(' ')[1]);
      const { checkpoint, rows } = finalCheckpoint(second);
      expect(checkpoint).toBeGreaterThan(restored);
      expect(rows).toBe(MESSAGES);
      // Nothing was read: the final checkpoint holds the restored position, and so does the group.
      const pos = finalPosition(store, checkpoint);
      expect(pos).toEqual(before);
      expect(sum(pos)).toBe(MESSAGES);
      await expectGroupHolds(group, pos);
    } finally {
      await broker.clearRequestErrors(ApiKey.JoinGroup);
    }
  });

  it('SIGTERM mid-rebalance (a second member joins the group)', async () => {
    const group = 'rebalancing';
    const store = join(dir, group);
    const run = startJob(group, store);
    await run.until(() => run.out.includes(`rows ${MESSAGES}`));
    await run.idle();
    // A second member that reads but never commits: the group's offsets come from the job alone.
    const other = createKafka(consumerConfig(broker, group), 'other').consumer({ ...consumerConfig(broker, group), maxWaitTimeInMs: 100 }); // the job's client library: kafkajs and librdkafka members cannot share a group
    await other.connect();
    await other.subscribe({ topic: 'stop', fromBeginning: true });
    try {
      await other.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      // kafkajs in the job says "The group is rebalancing, re-joining" once its fetch learns of it; librdkafka's revoke is logged.
      await run.until(() => run.err.some((l) => l.includes('rebalancing')));
      expect(await run.stop('SIGTERM'), run.show()).toEqual({ code: 0, signal: null });
      const { checkpoint, rows } = finalCheckpoint(run);
      expect(rows).toBe(MESSAGES);
      const pos = finalPosition(store, checkpoint);
      expect(pos.partitions.length).toBeGreaterThan(0);
      await expectGroupHolds(group, pos);
    } finally {
      await other.disconnect();
    }
  });
});
