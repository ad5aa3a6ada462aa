/**
 * Scale-out benchmark on the test broker (librdkafka's mock cluster), every member a child
 * process (bench/scale-out/member.ts) checkpointing every second to a shared directory:
 *  1. one member, plain runJob vs `partitioned: true`: msgs/s over the same topic (fresh group
 *     each run, alternating, best of `passes`);
 *  2. 1, 2 and 3 partitioned members in one group: they join first, then the messages are
 *     produced; msgs/s from the first message any member reads to the last. One machine: this
 *     shows the cost of more members, not scaling;
 *  3. the rebalance pause with 100k keys of state (per-key sums) per task: one member holds all four
 *     tasks, a second joins; for each task that moves, the old owner's revoke (cut, checkpoint,
 *     release) and the new owner's restore (lease, load, restore) as their logs report them;
 *  4. SIGKILL → the restarted member's first processed batch, same group and store.
 *
 * Usage: npx tsx bench/scale-out/run.ts [messages=200000] [passes=3] [pause|restart]   (only part 3 or 4)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaBroker, type KafkaTestBroker } from '../../test/fixtures/kafka/broker.js';
import { Member } from '../../test/runtime/fixtures/members.js';
import { kcatProduce } from '../kcat.js';

const total = Number(process.argv[2] ?? 200_000);
const passes = Number(process.argv[3] ?? 3);
const script = new URL('./member.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sf-scale-bench-'));
let runs = 0;

/** Produce with kcat, message i to partition i % 4, keys from `key(i)`. */
function produce(broker: KafkaTestBroker, topic: string, n: number, key: (i: number) => string): Promise<void> {
  const byPartition: string[][] = [[], [], [], []];
  for (let i = 0; i < n; i++) byPartition[i % 4].push(JSON.stringify({ k: key(i), v: (i * 7919) % 1000 }));
  return kcatProduce(broker.bootstrap, topic, byPartition);
}

async function until(cond: () => boolean, what: string, ms = 300_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const field = (m: Member, message: string, name: string) => m.lines.filter((l) => l.message === message).map((l) => Number(l[name]));

/** Members of one group over `topic`; resolves to msgs/s from the first message read to the `n`-th. */
async function consume(broker: KafkaTestBroker, topic: string, members: number, mode: string, n: number, produceAfterJoin: boolean): Promise<number> {
  const group = `g${runs++}`;
  const ms = Array.from({ length: members }, (_, i) => new Member(`m${i}`, script, [broker.bootstrap, group, topic, join(dir, group), mode, 'sum']));
  try {
    if (produceAfterJoin) {
      // Every member has its tasks and the group is stable (4 tasks restored, no revokes pending).
      await until(() => ms.reduce((a, m) => a + m.count('task restored') - m.count('task revoked'), 0) === 4 && ms.every((m) => m.count('task restored') > 0), 'members joined');
      await new Promise((r) => setTimeout(r, 1_000));
      await produce(broker, topic, n, (i) => `key${i % 1000}`);
    }
    const last = (m: Member) => Math.max(0, ...field(m, 'consumed', 'count'));
    await until(() => ms.reduce((a, m) => a + last(m), 0) >= n, `${members} member(s) reading ${n}`);
    const first = Math.min(...ms.flatMap((m) => field(m, 'first', 'at')));
    const end = Math.max(...ms.map((m) => Math.max(...m.lines.filter((l) => l.message === 'consumed').map((l) => Number(l.at)))));
    return n / ((end - first) / 1000);
  } finally {
    for (const m of ms) m.kill('SIGTERM');
    await Promise.all(ms.map((m) => m.exited));
  }
}

/** When a log line was written (every line carries its ISO time). */
const at = (line: { [field: string]: unknown }) => Date.parse(String(line.time));

/**
 * The rebalance pause with 100k keys per task: per moved task, the old owner's revoke and the new
 * owner's restore as their log lines report them (`ms` wall, `cpuMs` the process's CPU time
 * meanwhile), and the whole handover: from the start of the old owner's first revoke to the new
 * owner's last restored task (one machine, one clock), with the new owner's CPU time in it.
 */
async function rebalancePause(broker: KafkaTestBroker): Promise<{ revoke: number[]; restore: number[]; restoreCpu: number[]; handover: number; keys: number }> {
  const keys = 100_000;
  await broker.createTopic('pause', 4);
  await produce(broker, 'pause', 4 * keys, (i) => `k${i}`); // 100k distinct keys in each partition
  // The mock keeps at most 5 MB per partition: count what it kept (each message is its own key).
  const admin = new Kafka({ clientId: 'bench', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const kept = (await admin.fetchTopicOffsets('pause')).map((o) => Number(o.high) - Number(o.low));
  await admin.disconnect();
  const group = 'pause';
  const args = (i: number) => [broker.bootstrap, group, 'pause', join(dir, group), 'partitioned', 'sum']; // a cumulative SDF groupby re-emits its whole table per batch: too slow to fill with 400k keys here
  const a = new Member('a', script, args(0));
  try {
    const total = kept.reduce((x, y) => x + y, 0);
    await until(() => Math.max(0, ...field(a, 'consumed', 'count')) >= total, `a read all ${total}`);
    await until(() => a.count('checkpoint committed') >= 2, 'a checkpointed');
    const b = new Member('b', script, args(1));
    try {
      const restored = () => b.lines.filter((l) => l.message === 'task restored' && l.checkpoint !== null);
      await until(() => a.count('task revoked') > 0 && restored().length >= a.count('task revoked'), 'b restored every moved task');
      const revoked = a.lines.filter((l) => l.message === 'task revoked');
      const start = Math.min(...revoked.map((l) => at(l) - Number(l.ms)));
      return {
        revoke: revoked.map((l) => Number(l.ms)),
        restore: restored().map((l) => Number(l.ms)),
        restoreCpu: restored().map((l) => Number(l.cpuMs)),
        handover: Math.max(...restored().map(at)) - start,
        keys: Math.min(...kept),
      };
    } finally {
      b.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    a.kill('SIGTERM');
    await a.exited;
  }
}

/**
 * SIGKILL → the restarted member's first processed batch: one partitioned member reads a backlog,
 * is SIGKILLed after a checkpoint and started again in the same group on the same store; the
 * group holds the dead member until its session (10 s here) expires. Best and worst of `runs`.
 */
async function restartTime(broker: KafkaTestBroker, runs: number): Promise<number[]> {
  await broker.createTopic('restart', 4);
  await produce(broker, 'restart', 400_000, (i) => `key${i % 1000}`);
  const group = 'restart';
  const args = [broker.bootstrap, group, 'restart', join(dir, group), 'partitioned', 'sum'];
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = new Member(`a${i}`, script, args);
    await until(() => a.lines.some((l) => l.message === 'checkpoint committed' && Number(l.checkpoint) > 0) && Math.max(0, ...field(a, 'consumed', 'count')) > 0, 'a checkpointed');
    const killed = Date.now();
    a.kill('SIGKILL');
    await a.exited;
    const b = new Member(`b${i}`, script, args);
    try {
      await until(() => b.count('first') > 0, 'the restarted member read a batch');
      times.push(field(b, 'first', 'at')[0] - killed);
    } finally {
      b.kill('SIGTERM');
      await b.exited;
    }
  }
  return times;
}

const broker = await startKafkaBroker({ brokers: 1 });
const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
const only = process.argv[4];
try {
  if (only === 'pause') {
    const pause = await rebalancePause(broker);
    console.log(pauseLine(pause));
  } else if (only === 'restart') {
    console.log(`SIGKILL → restarted member's first batch: ${(await restartTime(broker, passes)).join(', ')} ms (session timeout 10 000 ms)`);
  } else await everything(broker);
} finally {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function everything(broker: KafkaTestBroker): Promise<void> {
  await broker.createTopic('single', 4);
  await produce(broker, 'single', total, (i) => `key${i % 1000}`);
  const best = { plain: 0, partitioned: 0 };
  for (let i = 0; i < passes; i++) {
    for (const mode of ['plain', 'partitioned'] as const) best[mode] = Math.max(best[mode], await consume(broker, 'single', 1, mode, total, false));
  }
  process.stderr.write(`single member: plain ${k(best.plain)}/s, partitioned ${k(best.partitioned)}/s\n`);

  const members: number[] = [];
  for (const n of [1, 2, 3]) {
    let b = 0;
    for (let i = 0; i < passes; i++) {
      const topic = `members-${n}-${i}`;
      await broker.createTopic(topic, 4);
      b = Math.max(b, await consume(broker, topic, n, 'partitioned', total, true));
    }
    members.push(b);
    process.stderr.write(`${n} member(s): ${k(b)}/s\n`);
  }

  const pause = await rebalancePause(broker);
  const restarts = await restartTime(broker, passes);
  console.log(
    [
      `Partitioned jobs, ${total.toLocaleString('en')} JSON messages per run on a 4-partition topic (librdkafka mock broker), members are child processes checkpointing every 1 s to one directory, node ${process.version}, best of ${passes}`,
      '',
      '| variant | msgs/s | ÷ plain |',
      '|---|---|---|',
      `| one member, plain runJob | ${k(best.plain)} | 1.00 |`,
      `| one member, partitioned: true | ${k(best.partitioned)} | ${(best.partitioned / best.plain).toFixed(2)} |`,
      ...members.map((r, i) => `| ${i + 1} partitioned member(s), produced after they joined | ${k(r)} | ${(r / best.plain).toFixed(2)} |`),
      '',
      `Rebalance pause, at least ${pause.keys.toLocaleString("en")} keys of per-key sums per task (an accumulate: JSON state), a second member joining one that holds all 4 tasks:`,
      pauseLine(pause),
      '',
      `SIGKILL → the restarted member's first processed batch (session timeout 10 s): ${restarts.join(', ')} ms`,
    ].join('\n'),
  );
}

function pauseLine(p: Awaited<ReturnType<typeof rebalancePause>>): string {
  return (
    `revoke (cut, checkpoint, release) per moved task: ${p.revoke.join(', ')} ms; restore on the new owner (lease wait, load, restore): ` +
    `${p.restore.join(', ')} ms (CPU ${p.restoreCpu.join(', ')} ms); handover, first revoke to last restore: ${p.handover} ms (${p.keys} keys per task)`
  );
}
