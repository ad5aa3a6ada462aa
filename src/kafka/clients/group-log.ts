/**
 * What a consumer's librdkafka log says about its group, where CKJS offers no other way to learn it:
 *  - a group the broker rejects: librdkafka retries these errors without end, and CKJS only logs
 *    them ("Consumer encountered error while consuming. Retrying."); kafkajs gives up on them.
 *  - a revoke waiting for the application: librdkafka hands it over in the consumer's next poll,
 *    which CKJS makes only after the running batch (kafkajs learns it from a heartbeat meanwhile).
 *    librdkafka says so at once, on its own thread, in a `cgrp` debug line.
 */

/** librdkafka's texts for the group errors kafkajs treats as fatal (they need a configuration change). */
const REJECTED_GROUP = [
  'Broker: Inconsistent group protocol',
  'Broker: Invalid group.id',
  'Broker: Invalid session timeout',
  'Broker: Group authorization failed',
  'Broker: Consumer group has reached maximum size',
  'Broker: Static consumer fenced by other consumer with same group.instance.id',
];

/** librdkafka's `cgrp` debug line as it queues a revoke (eager or incremental) for the application. */
const REVOKE_QUEUED = /delegating (incremental )?revoke of \d+ partition/;

/** The librdkafka debug context that logs REVOKE_QUEUED (and a line per heartbeat, join and sync). */
export const GROUP_DEBUG = 'cgrp';

export class GroupLog {
  /** The reason the broker rejected the group, once it did. */
  rejected: string | undefined;
  /** Revokes librdkafka queued for the application, and revokes the application ran, since the last assign. */
  private queued = 0;
  private ran = 0;

  /** A line of the consumer's log; `error` says it is at error level. */
  line(error: boolean, message: string): void {
    if (error) this.rejected ??= REJECTED_GROUP.find((text) => message.includes(text));
    else if (REVOKE_QUEUED.test(message)) this.queued++;
  }

  /** The rebalance callback ran a revoke. */
  revoked(): void {
    this.ran++;
  }

  /** The rebalance callback ran an assign: a rebalance ended, and a line that went missing counts no longer. */
  assigned(): void {
    this.queued = this.ran = 0;
  }

  /** A revoke waits for the next poll (counted, so that a line logged after its revoke ran says nothing). */
  get revokePending(): boolean {
    return this.queued > this.ran;
  }
}
