/**
 * For publishers (read-your-writes over Kafka), without the engine: `import { waitProcessed } from
 * 'streamframe/client'` loads kafkajs and nothing of DataFrames, Arrow or checkpoints.
 *
 *   const meta = await producer.send({ topic: 'payments', messages: [{ value }] });
 *   await waitProcessed(meta, { groups: ['balances', 'ledger'], brokers, level: 'checkpointed', timeoutMs: 5000 });
 */
export { waitProcessed, closeProgressClients, ProgressClient, type ProducedAt, type WaitOptions } from './wait-processed.js';
export { ProgressTimeoutError, type PartitionProgress } from '../kafka/progress-book.js';
export { ProgressTopicMissingError } from '../kafka/progress-reader.js';
export { progressTopicOf, type ProgressLevel, type ProgressRecord } from '../kafka/progress-record.js';
