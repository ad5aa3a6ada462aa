import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/random.js';
import { watchChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/crash-job.mjs', import.meta.url).pathname;
const LINES = 600_000;
const MIN_KILLS = 12;
const WRITES_PER_CHECKPOINT = 6; // count, batches, sums, window-mean, metadata, commit marker

/** The newest committed checkpoint in a filesystem store and what it holds: what a restart must restore. */
function newestCommitted(store: string): { checkpoint: number; count: unknown; position: unknown } | null {
  const markers = existsSync(join(store, 'commits')) ? readdirSync(join(store, 'commits')) : [];
  const commits = markers.filter((f) => /^\d+\.json$/.test(f)).map((f) => Number.parseInt(f, 10)); // not temporary files
  if (commits.length === 0) return null;
  const n = Math.max(...commits);
  const metadata = JSON.parse(readFileSync(join(store, 'metadata', `${n}.json`), 'utf8'));
  return { checkpoint: n, count: JSON.parse(readFileSync(join(store, `data/${n}/count.json`), 'utf8')), position: metadata.sources.lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash test: SIGKILL relative to observed progress, restart until done', () => {
  it('every restart restores the newest committed checkpoint, and the end state equals an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-crash-'));
    const random = seededRandom(20261122);
    const input = join(dir, 'events.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) lines.push(JSON.stringify({ k: `key${Math.floor(random() * 37)}`, v: random() * 1000 - 500, i }));
    writeFileSync(input, lines.join('\n') + '\n');

    const reference = watchChild(job, [input, join(dir, 'reference-store'), join(dir, 'reference.json')]);
    expect((await reference.exit).code).toBe(0);
    expect(reference.committed.length).toBeGreaterThan(MIN_KILLS); // enough checkpoints to spread the kills over
    // How long a checkpoint interval lasts here: a timer kill lands at a random point of one.
    let interval = (reference.commitTimes.at(-1)! - reference.commitTimes[0]) / (reference.commitTimes.length - 1);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    const restoredFrom = new Set<number>();
    let kills = 0;
    let inStoreKills = 0;
    for (let attempt = 0; ; attempt++) {
      expect(attempt).toBeLessThan(100);
      const finishing = kills >= MIN_KILLS + 4;
      const expected = newestCommitted(store);
      // Some runs die inside the store: after write j of the k-th checkpoint they write (j = 6: just
      // after its commit marker); the others by our SIGKILL once they have committed 1-3 checkpoints,
      // at a random point of the next interval (mid-processing, mid-write, mid-pruning).
      const inStore = !finishing && random() < 0.4;
      const crashAt = inStore ? `${1 + Math.floor(random() * 2)}:${1 + Math.floor(random() * WRITES_PER_CHECKPOINT)}` : '-';
      const child = watchChild(job, [input, store, result, crashAt]);

      const restore = await child.restored;
      expect(restore.restored).toBe(expected?.checkpoint ?? null);
      if (expected !== null) {
        expect(restore.count).toEqual(expected.count);
        expect(restore.position).toEqual(expected.position);
        expect((restore.count as { state: number }).state).toBeGreaterThan(0);
        restoredFrom.add(expected.checkpoint);
      }
      if (!finishing && !inStore) {
        const after = 1 + Math.floor(random() * 3);
        const delay = random() * interval;
        try {
          await child.commits(after);
          await sleep(delay);
          child.kill();
        } catch {
          // finished before the kill point: the input ran out
        }
        if (child.commitTimes.length > 1) interval = (child.commitTimes.at(-1)! - child.commitTimes[0]) / (child.commitTimes.length - 1);
      }
      const exit = await child.exit;
      if (exit.code === 0) {
        expect(restore.restored).not.toBeNull(); // the final run resumed; it did not start over
        break;
      }
      expect(exit.signal, exit.stderr).toBe('SIGKILL');
      kills++;
      if (inStore) inStoreKills++;
    }
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(inStoreKills).toBeGreaterThan(0);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(MIN_KILLS / 2); // restarts resumed from a range of checkpoints
    const expectedResult = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(actual.count).toEqual({ hasState: true, state: LINES });
    expect(actual).toEqual(expectedResult); // float sums bit-identical: JSON numbers round-trip exactly
  }, 400_000);
});
