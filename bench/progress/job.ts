/**
 * The job of the read-your-writes latency benchmark, run as a child process:
 *   node --import tsx bench/progress/job.ts <brokers> <group> <store dir> <topic> [pollInterval ms=100]
 * fromKafkaBatched(decode json) → a per-key sum, checkpointed every second, progress published
 * with the default settings. Prints `ready` once its partitions are assigned.
 */
import { logLevel } from 'kafkajs';
import { runJob, setLogger, Stream } from '../../src/index.js';

const [brokers, groupId, store, topic, poll] = process.argv.slice(2);
setLogger({
  log: (level, message, fields) => {
    if (message === 'kafka partitions assigned') process.stdout.write('ready\n');
    if (level === 'warn' || level === 'error') process.stderr.write(JSON.stringify({ level, message, ...fields }) + '\n');
  },
});
const events = Stream.fromKafkaBatched(topic, { brokers: brokers.split(','), groupId, logLevel: logLevel.NOTHING }, { startFrom: 'latest', decode: 'json', maxBatchSize: 10_000, pollInterval: Number(poll ?? 100) }).name('events');
events
  .accumulate(
    (sums: Record<string, number>, batch: { k: string; v: number }[]) => {
      for (const { k, v } of batch) sums[k] = (sums[k] ?? 0) + v;
      return sums;
    },
    { start: {} },
  )
  .name('sums');
const job = runJob(events, { name: groupId, checkpoint: { store, every: { ms: 1_000 } }, progress: true });
await job.done;
process.exit(0);
