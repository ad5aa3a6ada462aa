import { withTimeout, type Seekable } from '../core/index.js';
import type { Source } from '../sources/source.js';
import { numericPosition, ProcessedTracker } from './tracking.js';

/** A position in a source: the element's index, byte offset or poll count (see `numericPosition`). */
export type PositionToken = number | { source?: string; position: number };

/**
 * A job's read-your-writes: one ProcessedTracker per source (when the job tracks processing), and
 * the source positions of the newest committed checkpoint.
 */
export class ReadYourWrites {
  private readonly trackers = new Map<Source<any>, ProcessedTracker>();
  private committedPositions: Record<string, unknown> = {};
  private readonly checkpointWaiters = new Set<() => void>();

  constructor(
    private readonly job: string,
    private readonly sourceIds: Map<Source<any>, string>,
    track: boolean,
  ) {
    if (track) for (const s of sourceIds.keys()) this.track(s);
  }

  /** After a source emitted an element (and moved past it). */
  emitted(source: Source<any>): void {
    this.trackers.get(source)?.check();
  }

  /** A checkpoint with these source positions is durable. */
  committed(sources: Record<string, unknown>): void {
    this.committedPositions = sources;
    for (const wake of this.checkpointWaiters) wake();
  }

  async processed(token: PositionToken, timeoutMs: number): Promise<void> {
    const { source, position } = this.resolve(token);
    const tracker = this.trackers.get(source);
    if (tracker === undefined) throw new Error(`job "${this.job}": processed() needs the job option trackProcessed`);
    await withTimeout(tracker.wait(position), timeoutMs, () => `job "${this.job}": position ${position} of source "${this.sourceIds.get(source)}" was not processed within ${timeoutMs} ms`);
  }

  async checkpointed(token: PositionToken, timeoutMs: number): Promise<void> {
    const started = Date.now();
    await this.processed(token, timeoutMs);
    const { source, position } = this.resolve(token);
    const id = this.sourceIds.get(source)!;
    const inCheckpoint = () => (numericPosition(this.committedPositions[id]) ?? -Infinity) > position;
    if (inCheckpoint()) return;
    let wake!: () => void;
    const waiting = new Promise<void>((resolve) => {
      wake = () => inCheckpoint() && resolve();
      this.checkpointWaiters.add(wake);
    });
    try {
      await withTimeout(waiting, Math.max(0, timeoutMs - (Date.now() - started)), () => `job "${this.job}": position ${position} of source "${id}" was not in a committed checkpoint within ${timeoutMs} ms`);
    } finally {
      this.checkpointWaiters.delete(wake);
    }
  }

  private track(source: Source<any>): void {
    const position = () => {
      const p = numericPosition((source as unknown as Seekable).position?.());
      if (p === undefined) throw new Error(`runJob: source "${this.sourceIds.get(source)}" (${source.kind}) has no single numeric position, so trackProcessed cannot follow it (a Kafka source's progress is kept per partition: use the job option progress and waitProcessed)`);
      return p;
    };
    position(); // fail now, not at the first element
    const tracker = new ProcessedTracker(position);
    this.trackers.set(source, tracker);
    source.track = () => tracker.enter(position());
  }

  private resolve(token: PositionToken): { source: Source<any>; position: number } {
    const t = typeof token === 'number' ? { position: token } : token;
    const sources = [...this.sourceIds];
    if (t.source === undefined) {
      if (sources.length !== 1) throw new Error(`job "${this.job}" has ${sources.length} sources: say which one the position belongs to`);
      return { source: sources[0][0], position: t.position };
    }
    const source = sources.find(([, id]) => id === t.source)?.[0];
    if (source === undefined) throw new Error(`job "${this.job}" has no source "${t.source}"`);
    return { source, position: t.position };
  }
}

