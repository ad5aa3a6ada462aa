import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';

/** librdkafka's error for a commit, as node-rdkafka's 'offset.commit' event carries it. */
export interface CommitFailure {
  code: number;
  message: string;
}

/** The part of a CKJS consumer that commits. */
export interface CommittingConsumer {
  /** Resolves once librdkafka has queued the commit (its commitAsync), before the broker answered. */
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  /** The group's offsets, read from the broker (OffsetFetch). */
  committed(partitions: { topic: string; partition: number }[], timeoutMs: number): Promise<{ topic: string; partition: number; offset: string | null }[]>;
  /** The internal (node-rdkafka) client: its 'offset.commit' event reports each commit's outcome. */
  _getInternalClient(): { on(event: 'offset.commit', listener: (failure: CommitFailure | null | undefined) => void): unknown };
}

/** How long a check of the group's offsets may take (it holds a libuv thread meanwhile). */
const READ_BACK_MS = 5_000;
/** While a commit waits for librdkafka's outcome, the group's offsets are read again this often. */
const LOOK_AGAIN_MS = 2_000;

/**
 * Commits that settle with the broker's answer. CKJS' `commitOffsets` resolves as soon as the
 * commit is queued: one the broker then refused (a rebalance began, a stale generation) looked
 * done, and the group's offset stayed behind until the next commit, which a caught-up source
 * never makes. The answer, whichever comes first:
 *  - the group's offsets read back: librdkafka sends this OffsetFetch after the OffsetCommit,
 *    on the same connection, so offsets at or past ours mean the commit landed (read again every
 *    2 s: a commit librdkafka defers, until the coordinator is known, lands late);
 *  - librdkafka's outcome of the commit, after its own retries ('offset.commit', in the order of
 *    the commits), with the broker's error. CKJS delivers it only between batches, so a refused
 *    commit is known as such once the batch under way ends (a rebalance ends it early).
 * One commit at a time, each answered before the next is made: a commit still in librdkafka
 * could land after a newer one (seen under a 300 ms round-trip time) and move the group back.
 */
export class AnsweredCommits {
  /** One per queued commit whose outcome librdkafka has not reported yet, oldest first. */
  private readonly unreported: ((error: Error | undefined) => void)[] = [];
  private last: Promise<unknown> = Promise.resolve();
  private ended: Error | undefined;

  constructor(
    private readonly consumer: CommittingConsumer,
    errorOf: (failure: CommitFailure) => Error,
  ) {
    consumer._getInternalClient().on('offset.commit', (failure) => this.unreported.shift()?.(failure ? errorOf(failure) : undefined));
  }

  /** After the commits before it were answered, commit `offsets`; settle with the answer. */
  commit(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const answered = this.last.then(() => this.one(offsets));
    this.last = answered.catch(() => undefined);
    return answered;
  }

  /** The consumer disconnected: librdkafka drops the outcomes it has not reported. */
  end(reason: Error): void {
    this.ended = reason;
    for (const report of this.unreported.splice(0)) report(reason);
  }

  private one(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      // Registered before queuing: the outcome may be reported before the queuing resolves. It
      // stays registered after a read-back answered, for the outcome still to come.
      const report = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.unreported.push(report);
      this.consumer.commitOffsets(offsets).then(
        async () => {
          while (!settled) {
            if (await this.held(offsets).catch(() => false)) return report();
            await new Promise((r) => setTimeout(r, LOOK_AGAIN_MS).unref());
          }
        },
        (e: unknown) => {
          this.unreported.splice(this.unreported.indexOf(report), 1); // not queued: no outcome comes
          report(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** The group holds `offsets`, or later ones. */
  private async held(offsets: TopicPartitionOffsetAndMetadata[]): Promise<boolean> {
    const group = await this.consumer.committed(offsets.map(({ topic, partition }) => ({ topic, partition })), READ_BACK_MS);
    // CKJS reads offset 0 as null (none is -1001).
    const at = new Map(group.map((g) => [`${g.partition}@${g.topic}`, BigInt(g.offset ?? 0)]));
    return offsets.every((o) => (at.get(`${o.partition}@${o.topic}`) ?? -1n) >= BigInt(o.offset));
  }
}
