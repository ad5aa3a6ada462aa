import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/random.js';
import { runChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/crash-job.ts', import.meta.url).pathname;
const LINES = 200_000;
const KILLS = 30;

describe('crash test: SIGKILL at random moments, restart until done', () => {
  it(`ends with exactly the state of an uninterrupted run (${KILLS}+ kills, some mid-checkpoint)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-crash-'));
    const random = seededRandom(20261122);
    const input = join(dir, 'events.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) lines.push(JSON.stringify({ k: `key${Math.floor(random() * 37)}`, v: random() * 1000 - 500, i }));
    writeFileSync(input, lines.join('\n') + '\n');

    const reference = join(dir, 'reference.json');
    expect((await runChild(job, [input, join(dir, 'reference-store'), reference])).code).toBe(0);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    let kills = 0;
    let midCheckpoint = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      const finishing = kills >= KILLS;
      // A third of the runs die inside the store, right after its 1st..5th file of a checkpoint: every
      // run writes at least one checkpoint (the final one has 5 files), so that crash always happens.
      const crashInStore = !finishing && random() < 0.35;
      const args = [input, store, result, ...(crashInStore ? [String(1 + Math.floor(random() * 5))] : [])];
      const run = await runChild(job, args, finishing || crashInStore ? undefined : 200 + random() * 1000);
      if (run.code === 0) break;
      expect(run.signal).toBe('SIGKILL');
      kills++;
      if (!run.killedByUs) midCheckpoint++;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(midCheckpoint).toBeGreaterThan(0);
    const expected = JSON.parse(readFileSync(reference, 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.count).toEqual({ hasState: true, state: LINES });
    expect(actual).toEqual(expected); // float sums bit-identical: JSON numbers round-trip exactly
  }, 300_000);
});
