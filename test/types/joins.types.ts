// The README's "Joins" example and the join types, checked by `tsc --noEmit`. Not run.
import * as arrow from 'apache-arrow';
import { DataFrame, StaticTable, Stream } from '../../src/index.js';

function joins() {
  const orders = new DataFrame(new Stream<unknown>(), { example: { user: 'utf8', amount: 'float64', ts: 'timestamp' } });
  const payments = new DataFrame(new Stream<unknown>(), { example: { user: 'utf8', paid: 'float64', ts: 'timestamp' } });
  const profiles = new DataFrame(new Stream<unknown>(), { example: { user: 'utf8', tier: 'utf8', ts: 'timestamp' } });

  const paid = orders.join(payments, { on: 'user', interval: { on: 'ts', before: '5s', after: '1min' }, how: 'left', outOfOrder: '2s' });
  const tiered = orders.join(profiles, { on: 'user', asof: { on: 'ts', ttl: '30d' } });
  const sameWindow = orders.join(payments, { on: 'user', window: { tumbling: '10s', on: 'ts' } });
  const countries = new StaticTable(arrow.tableFromArrays({ user: ['ann', 'bob'], country: ['NO', 'PT'] }), { example: { user: 'utf8', country: 'utf8' } });
  const located = orders.join(countries, { on: 'user' });

  const paidSchema: { user: 'utf8'; amount: 'float64'; ts_x: 'timestamp'; paid: 'float64'; ts_y: 'timestamp' } = paid.schema;
  const tierSchema: { user: 'utf8'; amount: 'float64'; ts_x: 'timestamp'; tier: 'utf8'; ts_y: 'timestamp' } = tiered.schema;
  const windowSchema: { window_start: 'timestamp'; window_end: 'timestamp'; user: 'utf8'; amount: 'float64'; ts_x: 'timestamp'; paid: 'float64'; ts_y: 'timestamp' } = sameWindow.schema;
  const locatedSchema: { user: 'utf8'; amount: 'float64'; ts: 'timestamp'; country: 'utf8' } = located.schema;
  const renamed: { user: 'utf8'; amount: 'float64'; ts: 'timestamp'; paid: 'float64'; ts_paid: 'timestamp' } = orders.join(payments, { on: 'user', interval: { on: 'ts', before: 0, after: 0 }, suffixes: ['', '_paid'] }).schema;
  const byColumn: { amount: 'float64' } = orders.join(payments, { leftOn: 'amount', rightOn: 'paid', asof: { on: 'ts' } }).select(['amount']).schema;

  // @ts-expect-error a key that is not a column of both sides
  orders.join(payments, { on: 'amount', interval: { on: 'ts', before: 0, after: 0 } });
  // @ts-expect-error a key of another dtype on the right (utf8 vs float64)
  orders.join(payments, { leftOn: 'user', rightOn: 'paid', asof: { on: 'ts' } });
  // @ts-expect-error the time column must be a timestamp or a number
  orders.join(payments, { on: 'user', interval: { on: 'user', before: 0, after: 0 } });
  // @ts-expect-error two streams need interval, asof or window
  orders.join(payments, { on: 'user' });
  // @ts-expect-error no such column in the joined frame
  paid.col('ts');
  return [paidSchema, tierSchema, windowSchema, locatedSchema, renamed, byColumn];
}
export { joins };
