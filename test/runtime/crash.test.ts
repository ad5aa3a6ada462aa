import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/random.js';
import { crashUntilDone, watchChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/crash-job.mjs', import.meta.url).pathname;
const LINES = 600_000;
const KILLS = 16;

describe('crash test: SIGKILL relative to observed progress, restart until done', () => {
  it(`every restart restores the newest committed checkpoint, and the end state equals an uninterrupted run (${KILLS} kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-crash-'));
    const random = seededRandom(20261122);
    const input = join(dir, 'events.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) lines.push(JSON.stringify({ k: `key${Math.floor(random() * 37)}`, v: random() * 1000 - 500, i }));
    writeFileSync(input, lines.join('\n') + '\n');

    const reference = watchChild(job, [input, join(dir, 'reference-store'), join(dir, 'reference.json')]);
    expect((await reference.exit).code).toBe(0);
    const t = reference.commitTimes;
    expect(t.length).toBeGreaterThan(KILLS / 2); // enough checkpoints to spread the kills over

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    const { kills, inStoreKills, restoredFrom } = await crashUntilDone({
      random,
      kills: KILLS,
      writesPerCheckpoint: 6, // count, batches, sums, window-mean, metadata, commit marker
      interval: (t.at(-1)! - t[0]) / (t.length - 1),
      nodes: ['count'],
      store,
      start: (crashAt) => watchChild(job, [input, store, result, crashAt]),
    });
    expect(kills).toBe(KILLS);
    expect(inStoreKills).toBeGreaterThan(0);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(KILLS / 2); // restarts resumed from a range of checkpoints
    const expected = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.count).toEqual({ hasState: true, state: LINES });
    expect(actual).toEqual(expected); // float sums bit-identical: JSON numbers round-trip exactly
  }, 600_000); // 80 s on a quiet machine, 300 s with six others running tests
});
