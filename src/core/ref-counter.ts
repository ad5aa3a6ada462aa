/**
 * Counts the places still holding an element (streamz's RefCounter). A source attaches one to an
 * element's metadata; every node that keeps the element retains it and releases it when the element
 * leaves. When the count returns to zero the callback runs, exactly once.
 */
export class RefCounter {
  private references: number;
  private fired = false;

  constructor(
    private readonly onDone: () => void = () => {},
    initial = 0,
  ) {
    this.references = initial;
  }

  /** How many places hold the element now (streamz's `count`). */
  get count(): number {
    return this.references;
  }

  get done(): boolean {
    return this.fired;
  }

  retain(n = 1): void {
    if (this.fired) throw new Error('RefCounter: retain after the element was fully processed');
    this.references += n;
  }

  release(n = 1): void {
    this.references -= n;
    if (this.references < 0) throw new Error('RefCounter: released more often than retained');
    if (this.references === 0 && !this.fired) {
      this.fired = true;
      this.onDone();
    }
  }

  toString(): string {
    return `<RefCounter count=${this.references}>`;
  }
}
