/**
 * One updating status line (elements, rows/s, last checkpoint and its age) under the job's output.
 * On a terminal it is redrawn in place; elsewhere (CI, pipes) it is printed every few seconds.
 */
export class Progress {
  private rows = 0;
  private batches = 0;
  private window: { at: number; rows: number }[] = [];
  private lastPlain = 0;
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  count(rows: number): void {
    this.rows += rows;
    this.batches++;
  }

  /** A line of output above the progress line. */
  log(line: string): void {
    this.clear();
    this.out.write(line + '\n');
  }

  render(checkpoint: { checkpoint: number; at: number } | undefined): void {
    const now = Date.now();
    this.window.push({ at: now, rows: this.rows });
    while (this.window.length > 1 && now - this.window[0].at > 2000) this.window.shift();
    const first = this.window[0];
    const rate = now > first.at ? ((this.rows - first.rows) * 1000) / (now - first.at) : 0;
    const cp = checkpoint === undefined ? 'no checkpoint yet' : `checkpoint #${checkpoint.checkpoint}, ${((now - checkpoint.at) / 1000).toFixed(1)} s ago`;
    const line = `batches ${this.batches.toLocaleString('en')} | rows ${this.rows.toLocaleString('en')} | ${Math.round(rate).toLocaleString('en')} rows/s | ${cp}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (now - this.lastPlain >= 2000) {
      this.out.write(line + '\n');
      this.lastPlain = now;
    }
  }

  finish(checkpoint: { checkpoint: number; at: number } | undefined): void {
    this.lastPlain = 0;
    this.render(checkpoint);
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}
