/**
 * One member of the scale-out benchmark, a child process:
 *   node --import tsx bench/scale-out/member.ts <brokers> <group> <topic> <store dir> <plain|partitioned> <sum|groupby>
 * Reads `topic` ({"k","v"} JSON) from the earliest offsets under runJob with a checkpoint every
 * second: `sum` keeps a per-key sum in an accumulate (JSON state), `groupby` an SDF groupby sum
 * (Parquet state). Logs (JSON lines on stderr) `consumed` with its count every 20 ms while it
 * reads, plus the job's own lines (and kafkajs' debug log with STREAMFRAME_MEMBER_KAFKA_LOG=1, see
 * test/runtime/fixtures/members.ts); stops gracefully on SIGTERM.
 */
import { logLevel } from 'kafkajs';
import { DataFrame, log, runJob, Stream } from '../../src/index.js';

const [brokers, groupId, topic, store, mode, state] = process.argv.slice(2);
type Event = { k: string; v: number };

const config = { brokers: brokers.split(','), groupId, logLevel: process.env.STREAMFRAME_MEMBER_KAFKA_LOG ? logLevel.DEBUG : logLevel.NOTHING, connectionTimeout: 3_000, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 500 };
const events = Stream.fromKafkaBatched(topic, config, { startFrom: 'earliest', decode: 'json', maxBatchSize: 10_000 }).name('events');
if (state === 'groupby') {
  const sdf = new DataFrame(events.map((batch: Event[]) => ({ k: batch.map((e) => e.k), v: batch.map((e) => e.v) })), { example: { k: 'utf8', v: 'float64' } });
  sdf.groupby('k').col('v').sum().name('sums');
} else {
  events
    .accumulate(
      (sums: Record<string, number>, batch: Event[]) => {
        for (const { k, v } of batch) sums[k] = (sums[k] ?? 0) + v;
        return sums;
      },
      { start: {} },
    )
    .name('sums');
}
let consumed = 0;
let reported = 0;
events.sink((batch: Event[]) => {
  if (consumed === 0) log('info', 'first', { at: Date.now() });
  consumed += batch.length;
});
const timer = setInterval(() => {
  if (consumed !== reported) log('info', 'consumed', { count: (reported = consumed), at: Date.now() });
}, 20);

const job = runJob(events, { name: 'bench', partitioned: mode === 'partitioned', checkpoint: { store, every: { ms: 1000 } } });
await job.done;
clearInterval(timer);
log('info', 'consumed', { count: consumed, at: Date.now() });
process.exit(0);
