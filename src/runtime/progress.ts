import type { Stream } from '../core/index.js';
import type { Source } from '../sources/source.js';
import { KafkaSourceBase } from '../kafka/source.js';
import type { PartitionProcessed } from '../kafka/progress.js';
import { positionOf, ProgressPublisher, type ProgressOptions } from '../kafka/progress-publisher.js';
import type { ProgressBooks } from './progress-http.js';

/** Every Kafka source's processed offsets at a cut. */
export type ProgressCut = Map<ProgressPublisher, PartitionProcessed[]>;

/**
 * A job's published progress (read-your-writes over Kafka): one ProgressPublisher per Kafka
 * source, told of the job's cuts and committed checkpoints.
 */
export class JobProgress implements ProgressBooks {
  private readonly publishers: { publisher: ProgressPublisher; id: string }[];

  constructor(job: string, sources: readonly Source<any>[], ids: Map<Stream<any>, string>, options: ProgressOptions) {
    const kafka = sources.filter((s): s is KafkaSourceBase<any> => s instanceof KafkaSourceBase);
    if (kafka.length === 0) {
      throw new Error(`runJob: job "${job}" publishes progress, but progress is kept per Kafka partition and it has no Kafka source (${sources.map((s) => s.kind).join(', ')}); use job.processed() for other sources`);
    }
    this.publishers = kafka.map((s) => ({ publisher: new ProgressPublisher(s, options), id: ids.get(s)! }));
  }

  books(): { group: string; topic: string; book: ProgressPublisher['book'] }[] {
    return this.publishers.map(({ publisher }) => ({ group: publisher.group, topic: publisher.sourceTopic, book: publisher.book }));
  }

  start(): void {
    for (const { publisher } of this.publishers) publisher.start();
  }

  /** Synchronous: at a cut. */
  atCut(): ProgressCut {
    return new Map(this.publishers.map(({ publisher }) => [publisher, publisher.atCut()]));
  }

  /** The checkpoint taken at `cut` has committed with these source positions. */
  committed(cut: ProgressCut, sources: Record<string, unknown>): void {
    for (const { publisher, id } of this.publishers) publisher.committed(cut.get(publisher) ?? [], positionOf(sources, id));
  }

  /** Publish the last figures; end the HTTP waits still open. */
  async close(): Promise<void> {
    await Promise.all(this.publishers.map(({ publisher }) => publisher.close()));
    for (const { publisher, id } of this.publishers) publisher.book.abort(() => new Error(`source "${id}" stopped publishing progress: the job ended`));
  }
}
