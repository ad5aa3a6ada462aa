import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import '../../src/index.js';
import { Stream, jsonLogger, setLogger } from '../../src/index.js';
import { ApiKey, startKafkaBroker, type KafkaTestBroker } from '../fixtures/kafka/broker.js';
import { consumerConfig, waitFor } from './helpers.js';

// Bad configuration must fail start() quickly with a message that names the problem.
let broker: KafkaTestBroker;

beforeAll(async () => {
  broker = await startKafkaBroker({ brokers: 1, topics: { real: 2 } });
});

afterAll(async () => {
  await broker?.stop();
});

/**
 * start() fails on its own, not by waiting out a timeout: the sources get a startTimeout far past
 * the test's, so waiting would fail the test (no wall-clock bound of our own to race on a loaded machine).
 */
const NEVER = { startTimeout: 600_000 };

async function startFails(src: { start(): Promise<void> }): Promise<Error> {
  return src.start().then(
    () => new Error('start() resolved'),
    (e: Error) => e,
  );
}

describe('bad Kafka configuration', () => {
  it('unknown topic', async () => {
    const src = Stream.fromKafkaBatched('no-such-topic', consumerConfig(broker, 'g1'), NEVER);
    const err = await startFails(src);
    expect(err.message).toMatch(/topic "no-such-topic" does not exist/);
    expect(err.message).toMatch(/real/); // lists the topics that do exist
  });

  it('unreachable brokers', async () => {
    const src = Stream.fromKafka('real', { brokers: ['127.0.0.1:1'], groupId: 'g2', logLevel: logLevel.NOTHING }, NEVER);
    const err = await startFails(src);
    expect(err.message).toMatch(/cannot connect to brokers 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  // One refusal is enough: kafkajs gives up on these codes, and librdkafka, which would retry them
  // without end, is stopped by the confluent client at the first (its texts after the bar).
  it.each([
    { code: 24, name: 'INVALID_GROUP_ID', says: /groupId is invalid|Broker: Invalid group\.id/ },
    { code: 30, name: 'GROUP_AUTHORIZATION_FAILED', says: /Group authorization failed/ },
  ])('a group the coordinator rejects ($name)', async ({ code, says }) => {
    await broker.requestErrors(ApiKey.JoinGroup, code, 1);
    try {
      const src = Stream.fromKafkaBatched('real', consumerConfig(broker, `bad-group-${code}`), NEVER);
      const err = await startFails(src);
      expect(err.message).toMatch(new RegExp(`consumer group "bad-group-${code}"`));
      expect(err.message).toMatch(says);
    } finally {
      await broker.clearRequestErrors(ApiKey.JoinGroup);
    }
  });

  it('a join that takes long is waited out with progress lines, not failed; stop() ends the wait', async () => {
    const lines: { message: string; waitedMs?: number; lastError?: string }[] = [];
    setLogger({ log: (_level, message, fields) => lines.push({ message, ...fields }) });
    await broker.requestErrors(ApiKey.JoinGroup, 27 /* REBALANCE_IN_PROGRESS */, 1_000);
    try {
      const src = Stream.fromKafkaBatched('real', consumerConfig(broker, 'stuck'), { startTimeout: 3_000 });
      let settled: string | undefined;
      const running = src.start().then(() => (settled = 'resolved'), (e: Error) => (settled = e.message));
      const slow = () => lines.filter((l) => l.message.startsWith('still joining'));
      // Past startTimeout, still waiting and saying so (every few seconds).
      await waitFor(() => slow().length >= 2 || settled !== undefined, 30_000, () => JSON.stringify(lines));
      expect(settled).toBeUndefined();
      expect(slow()[1].waitedMs).toBeGreaterThan(3_000);
      src.stop();
      await waitFor(() => settled !== undefined, 10_000, () => 'stop() did not end the join');
      await running;
      expect(settled).toBe('resolved');
    } finally {
      setLogger(jsonLogger());
      await broker.clearRequestErrors(ApiKey.JoinGroup);
    }
  }, 60_000);

  it('no group id', async () => {
    const src = Stream.fromKafkaBatched('real', { brokers: broker.brokers, groupId: '' }, NEVER);
    const err = await startFails(src);
    expect(err.message).toMatch(/groupId must be a non-empty string/);
  });
});
