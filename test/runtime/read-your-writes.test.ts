import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';

interface Payment {
  user: string;
  amount: number;
}

describe('read-your-writes', () => {
  it('a handler publishes an event, waits until the pipeline processed it, then reads the updated aggregate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-ryw-'));
    const log = join(dir, 'payments.jsonl');
    writeFileSync(log, '');
    const lines = Stream.fromTextFile(log, { pollInterval: 2 });
    let balances: Record<string, number> = {};
    lines
      .map((l) => JSON.parse(l) as Payment)
      .accumulate((acc: Record<string, number>, p: Payment) => ({ ...acc, [p.user]: (acc[p.user] ?? 0) + p.amount }), { start: {} })
      .name('balances')
      .sink((b) => void (balances = b));
    const job = runJob(lines, { name: 'payments', handleSignals: false, trackProcessed: true, checkpoint: { store: join(dir, 'cp'), every: { ms: 20 } } });

    /** The web-style handler: append, wait for our own write, answer from the aggregate. */
    async function pay(user: string, amount: number): Promise<number> {
      const position = statSync(log).size; // the byte offset our line will have
      appendFileSync(log, JSON.stringify({ user, amount }) + '\n');
      await job.processed(position, { timeoutMs: 5_000 });
      return balances[user];
    }

    expect(await pay('ann', 5)).toBe(5);
    expect(await pay('bob', 2)).toBe(2);
    expect(await pay('ann', 7)).toBe(12);

    const position = statSync(log).size;
    appendFileSync(log, JSON.stringify({ user: 'cy', amount: 1 }) + '\n');
    await job.checkpointed(position, { timeoutMs: 5_000 });
    expect(job.lastCheckpoint).toBeDefined();

    await expect(job.processed(10_000_000, { timeoutMs: 50 })).rejects.toThrow(/position 10000000 of source "fromTextFile-0" was not processed within 50 ms/);
    await job.stop();
  });

  it('an element held in a window counts as processed only once it has left the graph', async () => {
    const source = Stream.fromIterable([10, 20, 30]);
    source.slidingWindow(2).sink(() => {});
    const job = runJob(source, { name: 'held', handleSignals: false, trackProcessed: true });
    await job.done;
    await job.processed(1); // 10 and 20 are in no window still to come (as streamz releases them)
    await expect(job.processed(2, { timeoutMs: 30 })).rejects.toThrow(/not processed/); // 30 is still in the window
  });

  it('needs the job option', async () => {
    const job = runJob(Stream.fromIterable([1]), { name: 'untracked', handleSignals: false });
    await expect(job.processed(0)).rejects.toThrow(/needs the job option trackProcessed/);
    await job.done;
  });
});
