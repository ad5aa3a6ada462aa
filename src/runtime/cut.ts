import { walk, ZipNode } from '../core/index.js';
import type { Source, SourceGate } from '../sources/source.js';

/**
 * The consistent cut. A capture runs only when no source is emitting: every element before each
 * source's position has been fully handled by the synchronous graph, and none after it has
 * entered. While a capture waits for emitting sources to settle, no source starts a new emission,
 * except while a zip holds one source back for the others: holding them too would deadlock, so they
 * go on until the held one settles (zip's lockstep then brings a quiet moment at once).
 */
export class CutGate implements SourceGate {
  private pending: (() => void)[] = [];
  private paused: Promise<void> | undefined;
  private resume: (() => void) | undefined;
  private sinceDue = 0;
  private readonly zips: ZipNode<any>[];

  constructor(
    private readonly sources: readonly Source<any>[],
    /** Called after every `every` emitted elements (across sources). */
    private readonly onElementsDue: (() => void) | undefined,
    private readonly every: number,
    /** Called after each source emission (read-your-writes trackers check their waiters). */
    private readonly onEmitted?: (source: Source<any>) => void,
  ) {
    this.zips = walk(sources).filter((n): n is ZipNode<any> => n instanceof ZipNode);
  }

  beforeEmit(): Promise<void> | undefined {
    return this.paused !== undefined && this.zips.some((z) => z.waitingForInputs) ? undefined : this.paused;
  }

  afterEmit(source: Source<any>): void {
    this.onEmitted?.(source);
    if (this.onElementsDue !== undefined && ++this.sinceDue >= this.every) {
      this.sinceDue = 0;
      this.onElementsDue();
    }
    this.runIfQuiet();
  }

  /** Run `capture` at the next cut; sources are held at their gates until it has run. */
  at<T>(capture: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push(() => {
        try {
          resolve(capture());
        } catch (e) {
          reject(e);
        }
      });
      this.paused ??= new Promise<void>((r) => (this.resume = r));
      this.runIfQuiet();
    });
  }

  /** Also called when a source finishes or fails, so a capture never waits on a source that has stopped. */
  runIfQuiet(): void {
    if (this.pending.length === 0 || this.sources.some((s) => s.emitting)) return;
    const captures = this.pending;
    this.pending = [];
    for (const c of captures) c();
    this.paused = undefined;
    this.resume?.();
    this.resume = undefined;
  }
}
