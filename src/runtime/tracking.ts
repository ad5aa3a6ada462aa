import { RefCounter, type Meta } from '../core/index.js';

/**
 * The position of an element as one number: an index (`fromIterable`), a byte offset
 * (`fromTextFile`), a poll count (`fromPeriodic`). Sources whose positions are not one ordered
 * number (Kafka's per-partition offsets) are tracked per partition instead (kafka/progress.ts).
 */
export function numericPosition(p: unknown): number | undefined {
  if (typeof p === 'number') return p;
  if (p !== null && typeof p === 'object') {
    const values = Object.values(p as Record<string, unknown>);
    if (values.length === 1 && typeof values[0] === 'number') return values[0];
  }
  return undefined;
}

/**
 * Which elements of one source are still somewhere in the graph. Every element gets a RefCounter;
 * when it is released (the element left every branch, windows included) its position is done.
 * A position is processed once the source has read past it and no element at or before it is
 * still held.
 */
export class ProcessedTracker {
  private readonly pending: number[] = [];
  private readonly finished = new Set<number>();
  private waiters: { position: number; resolve: () => void }[] = [];

  constructor(private readonly currentPosition: () => number) {}

  /** Metadata for the element about to be emitted at `position`. */
  enter(position: number): Meta {
    this.pending.push(position);
    return [{ ref: new RefCounter(() => this.done(position)) }];
  }

  /** Everything before this position has left the graph. */
  watermark(): number {
    while (this.pending.length > 0 && this.finished.has(this.pending[0])) this.finished.delete(this.pending.shift()!);
    return this.pending[0] ?? this.currentPosition();
  }

  isProcessed(position: number): boolean {
    return this.watermark() > position;
  }

  wait(position: number): Promise<void> {
    if (this.isProcessed(position)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Wake the waiters whose positions are now processed (after an element finished or the source advanced). */
  check(): void {
    if (this.waiters.length === 0) return;
    const wm = this.watermark();
    const ready = this.waiters.filter((w) => wm > w.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => wm <= w.position);
    for (const w of ready) w.resolve();
  }

  private done(position: number): void {
    this.finished.add(position);
    this.check();
  }
}
