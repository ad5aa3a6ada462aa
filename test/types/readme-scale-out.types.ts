// The README's example of a partitioned job over co-partitioned topics ("Scale-out: partitioned
// jobs"), checked by `tsc --noEmit` so the README stays true. Not run.
import { runJob, Stream } from '../../src/index.js';

async function coPartitioned(brokers: string[]) {
  const config = { brokers, groupId: 'paid' };
  const orders = Stream.fromKafka('orders', config, { decode: 'json', startFrom: 'earliest' }).name('orders');
  const payments = Stream.fromKafka('payments', config, { decode: 'json', startFrom: 'earliest' }).name('payments');
  orders.join(payments, { key: 'k', on: 'ts', within: { before: 0, after: '1h' } }).sinkToFiles('out/paid');
  await runJob([orders, payments], { name: 'paid', partitioned: true, checkpoint: { store: 's3://bucket/jobs/paid' } }).done;
}

export { coPartitioned };
