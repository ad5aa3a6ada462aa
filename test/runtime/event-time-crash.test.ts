import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/random.js';
import { runChild } from './fixtures/crash-helpers.js';
import { spawn } from 'node:child_process';

const job = new URL('./fixtures/event-time-job.ts', import.meta.url).pathname;
const LINES = 20_000;
const KILLS = 8;

interface WindowState {
  watermark: { partitions: [string, number, number][]; watermark: number | null };
  quietFor: number | null;
}

/** Run the job until it reports input position `killAt` or later, then SIGKILL it; resolves with what it restored from. */
function runUntilKilled(args: string[], killAt: number): Promise<{ restored: string; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const at = [...stdout.matchAll(/^at (\d+)$/gm)].map((m) => Number(m[1]));
      if (at.some((i) => i >= killAt)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`job exited with ${code}: ${stderr}`));
      else resolve({ restored: /restored (\S+)/.exec(stdout)?.[1] ?? 'none', finished: code === 0 });
    });
  });
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
      lines.push(JSON.stringify({ i, k: `key${Math.floor(random() * 7)}`, ts: Math.floor(t - behind), v: Math.floor(random() * 100) }));
    }
    writeFileSync(input, lines.join('\n') + '\n');

    const reference = join(dir, 'reference.json');
    expect((await runChild(job, [input, join(dir, 'reference-store'), reference])).code).toBe(0);

    const store = join(dir, 'crashed-store');
    const result = join(dir, 'crashed.json');
    let kills = 0;
    const restoredFrom = new Set<string>();
    for (let attempt = 0; attempt < 100 && kills < KILLS; attempt++) {
      const run = await runUntilKilled([input, store, result], Math.floor(random() * (LINES - 1000)));
      restoredFrom.add(run.restored);
      if (run.finished) break;
      kills++;
    }
    expect((await runChild(job, [input, store, result])).code).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(restoredFrom.size).toBeGreaterThanOrEqual(4); // restarts resumed from several different checkpoints
    const expected = JSON.parse(readFileSync(reference, 'utf8'));
    const actual = JSON.parse(readFileSync(result, 'utf8'));
    expect(expected.logs.tumbling.state.length).toBeGreaterThan(100);
    expect(expected.logs.late.state.length).toBeGreaterThan(10);
    expect(expected.logs.tumbling.state.some((w: string) => !w.endsWith('r=1'))).toBe(true); // late updates re-emitted
    expect(actual.logs).toEqual(expected.logs);
    expect(eventTimeOnly(actual.open)).toEqual(eventTimeOnly(expected.open));
  }, 300_000);
});
