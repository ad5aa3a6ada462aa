import { defineConfig } from 'vitest/config';

/**
 * The core Kafka suites once more with streamframe's sources and sinks on @confluentinc/kafka-javascript
 * (client: 'confluent'; test/kafka/helpers.ts reads SF_KAFKA_CLIENT, child jobs inherit it). Suites
 * not listed are kafkajs-only for a reason given in README "Choosing the Kafka client".
 */
const CONFLUENT_SUITES = [
  'test/kafka/source.test.ts',
  'test/kafka/sink.test.ts',
  'test/kafka/checkpoint.test.ts',
  'test/kafka/stop.test.ts',
  'test/kafka/faults.test.ts',
  'test/kafka/job-failures.test.ts',
  'test/kafka/dataframe-json.test.ts',
  'test/kafka/rebalance.test.ts',
  'test/kafka/rebalance-checkpoint.test.ts',
  'test/kafka/progress-job.test.ts',
  'test/kafka/config.test.ts',
  'test/kafka/revoke-long-batch.test.ts',
  'test/runtime/scale-out-rebalance.test.ts',
  'test/runtime/kafka-crash.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    typecheck: { enabled: false },
    projects: [
      { extends: true, test: { name: 'kafkajs', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'confluent', include: CONFLUENT_SUITES, env: { SF_KAFKA_CLIENT: 'confluent' } } },
    ],
  },
});
