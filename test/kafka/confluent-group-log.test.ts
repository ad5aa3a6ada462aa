import { describe, expect, it } from 'vitest';
import { GroupLog } from '../../src/kafka/clients/group-log.js';

// librdkafka's lines as CKJS hands them to the consumer's logger (formats from rdkafka_cgrp.c and
// CKJS' consumer); the broker-level behaviour is in revoke-long-batch and config (confluent project).
const revokeQueued = (n: number) => `[thrd:main]: Group "g": delegating revoke of ${n} partition(s) to application on queue rd_kafka_cgrp_new: rebalance in progress`;
const incrementalRevokeQueued = '[thrd:main]: Group "g": delegating incremental revoke of 1 partition(s) to application on queue rd_kafka_cgrp_new: cooperative rebalance';
const assignQueued = '[thrd:main]: Group "g": delegating assign of 2 partition(s) to application on queue rd_kafka_cgrp_new: new assignment';

describe("the confluent client's view of its group, from librdkafka's log", () => {
  it('a queued revoke is pending until the rebalance callback runs it; assigns are not revokes', () => {
    const g = new GroupLog();
    g.line(false, assignQueued);
    expect(g.revokePending).toBe(false);
    g.line(false, revokeQueued(4));
    expect(g.revokePending).toBe(true);
    g.revoked();
    expect(g.revokePending).toBe(false);
    g.assigned();
    g.line(false, incrementalRevokeQueued);
    expect(g.revokePending).toBe(true);
    g.revoked();
    expect(g.revokePending).toBe(false);
  });

  it('a line that arrives after its revoke ran leaves nothing pending', () => {
    const g = new GroupLog();
    g.revoked();
    g.line(false, revokeQueued(2));
    expect(g.revokePending).toBe(false);
  });

  it('an assign ends a rebalance: a revoke line that never got its callback stops counting', () => {
    const g = new GroupLog();
    g.line(false, revokeQueued(2));
    g.assigned();
    expect(g.revokePending).toBe(false);
  });

  it('names the first rejected-group error, and only at error level', () => {
    const g = new GroupLog();
    const line = 'Consumer encountered error while consuming. Retrying. Error details: KafkaJSProtocolError: Broker: Group authorization failed : Error: Broker: Group authorization failed';
    g.line(false, line);
    expect(g.rejected).toBeUndefined();
    g.line(true, 'Error: broker transport failure');
    expect(g.rejected).toBeUndefined();
    g.line(true, line);
    expect(g.rejected).toBe('Broker: Group authorization failed');
    g.line(true, line.replaceAll('Group authorization failed', 'Invalid group.id'));
    expect(g.rejected).toBe('Broker: Group authorization failed');
  });
});
