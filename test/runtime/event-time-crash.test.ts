import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/random.js';
import { runChild } from './fixtures/crash-helpers.js';

const job = new URL('./fixtures/event-time-job.ts', import.meta.url).pathname;
const LINES = 40_000;
const KILLS = 12;

interface WindowState {
  watermark: { partitions: [string, number, number][]; watermark: number | null };
  quietFor: number | null;
}

/** The open windows' states without their processing-time parts (how long the input has been quiet). */
function eventTimeOnly(open: Record<string, WindowState>) {
  return Object.fromEntries(
    Object.entries(open).map(([k, s]) => [k, { ...s, quietFor: undefined, watermark: { ...s.watermark, partitions: s.watermark.partitions.map(([id, maxTs]) => [id, maxTs]) } }]),
  );
}

describe('event-time windows under SIGKILL', () => {
  it(`restarted on the same store, emit exactly the windows of an uninterrupted run (${KILLS}+ kills, out-of-order input)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-event-crash-'));
    const random = seededRandom(20261127);
    const input = join(dir, 'events.jsonl');
    const lines: string[] = [];
    let t = 1_700_000_000_000;
    for (let i = 0; i < LINES; i++) {
      t += Math.floor(random() * 20);
      // Most events within the 200 ms bound, some up to 700 ms behind: late, within lateness or beyond it.
      const behind = random() < 0.9 ? random() * 200 : random() * 700;
      lines.push(JSON.stringify({ k: `key${Math.floor(random() * 7)}`, ts: Math.floor(t - behind), v: Math.floor(random() * 100) }));
    }
    writeFileSync(input, lines.join('\n') + '\n');

    const reference = join(dir, 'reference.json');
    expect((await runChild(job, [input, join(dir, 'reference-store'), reference])).code).toBe(0);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    let kills = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const finishing = kills >= KILLS;
      const run = await runChild(job, [input, store, result], finishing ? undefined : 300 + random() * 1200);
      if (run.code === 0) break;
      expect(run.signal).toBe('SIGKILL');
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    const expected = JSON.parse(readFileSync(reference, 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(expected.logs.tumbling.state.length).toBeGreaterThan(100);
    expect(expected.logs.late.state.length).toBeGreaterThan(10);
    expect(expected.logs.tumbling.state.some((w: string) => !w.endsWith('r=1'))).toBe(true); // late updates re-emitted
    expect(actual.logs).toEqual(expected.logs);
    expect(eventTimeOnly(actual.open)).toEqual(eventTimeOnly(expected.open));
  }, 300_000);
});
