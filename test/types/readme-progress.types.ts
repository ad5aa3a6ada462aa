// The README's "Read your writes / From another process" example, checked by `tsc --noEmit`. Not run
// (test/kafka/progress-restart.test.ts runs the same pattern against the test broker).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { Kafka } from 'kafkajs';
import { closeProgressClients, ProgressClient, ProgressTimeoutError, waitProcessed } from '../../src/client/index.js';
import { runJob, Stream } from '../../src/index.js';

const brokers = ['localhost:9092'];
const producer = new Kafka({ brokers }).producer();
declare function parse(req: IncomingMessage): { user: string; amount: number };
const latestBalance = (dir: string, user: string) => readFileSync(`${dir}/part-1.jsonl`, 'utf8').split('\n').filter((l) => l.includes(user)).at(-1);

function progressJob() {
  const payments = Stream.fromKafka('payments', { brokers, groupId: 'balances' }, { decode: 'json' });
  payments
    .accumulate((sums: Record<string, number>, p: { user: string; amount: number }) => {
      sums[p.user] = (sums[p.user] ?? 0) + p.amount;
      return [sums, { user: p.user, balance: sums[p.user] }] as const;
    }, { start: {}, returnsState: true })
    .sinkToFiles('out/balances');
  return runJob(payments, { name: 'balances', progress: true, metricsPort: 9464, checkpoint: { every: { ms: 1000 } } });
}

function webService() {
  return createServer(async (req, res) => {
    const { user, amount } = parse(req);
    const meta = await producer.send({ topic: 'payments', messages: [{ key: user, value: JSON.stringify({ user, amount }) }] });
    await waitProcessed(meta, { groups: ['balances', 'ledger'], brokers, level: 'checkpointed', timeoutMs: 5000 });
    res.end(JSON.stringify(latestBalance('out/balances', user)));
  }).listen(8080);
}

async function progressOptions() {
  const job = runJob(Stream.fromKafka('payments', { brokers, groupId: 'balances' }), { name: 'b', progress: { topic: 'balances-progress', intervalMs: 100 } });
  const client = new ProgressClient({ brokers, ssl: true });
  try {
    await client.waitProcessed({ topic: 'payments', partition: 0, offset: '41' }, { group: 'balances', progressTopic: 'balances-progress' });
  } catch (e) {
    if (e instanceof ProgressTimeoutError) console.log(e.group, e.partition, e.wanted, e.current?.processed);
  }
  // @ts-expect-error the level is processed or checkpointed
  await waitProcessed({ topic: 'payments', partition: 0, offset: '41' }, { group: 'balances', brokers, level: 'soon' });
  // @ts-expect-error brokers are needed
  await waitProcessed({ topic: 'payments', partition: 0, offset: '41' }, { group: 'balances' });
  await client.close();
  await closeProgressClients();
  return job;
}

export { progressJob, webService, progressOptions };
