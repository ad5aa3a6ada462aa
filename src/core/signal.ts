/** Wake everyone waiting for a condition to become true (room in a queue, a queue drained). */
export class Signal {
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Someone is waiting. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve();
  }

  fail(error: unknown): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(error);
  }
}
