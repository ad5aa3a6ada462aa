import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const job = new URL('./fixtures/hanging-store-job.mjs', import.meta.url).pathname;

interface LogLine {
  time: string;
  level: string;
  message: string;
  job?: string;
}

/**
 * Start the job, SIGTERM it once running, and again once it says the first was handled (a second
 * kill() before the child ran its handler could merge with the first into one pending signal).
 */
function signalTwice(logLevel: string | undefined): Promise<{ code: number | null; logs: LogLine[] }> {
  const env = { ...process.env };
  if (logLevel === undefined) delete env.STREAMFRAME_LOG_LEVEL;
  else env.STREAMFRAME_LOG_LEVEL = logLevel;
  const child = spawn(process.execPath, [job, mkdtempSync(join(tmpdir(), 'sf-signals-'))], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signals = 0;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const due = stdout.includes('signalled') ? 2 : stdout.includes('running') ? 1 : 0;
    for (; signals < due; signals++) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, logs: stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine) });
    });
  });
}

describe('signals and logs', { timeout: 120_000 }, () => { // a child process on dist/: seconds to start on a loaded machine
  it('a second signal exits at once, without the final checkpoint the first one started (JSON log lines at STREAMFRAME_LOG_LEVEL=info)', async () => {
    const { code, logs } = await signalTwice('info');
    expect(code).toBe(130);
    for (const l of logs) expect(new Date(l.time).toISOString()).toBe(l.time);
    const messages = logs.filter((l) => l.job === 'hanging').map((l) => [l.level, l.message]);
    expect(messages).toEqual([
      ['info', 'writing the checkpoint store'],
      ['info', 'SIGTERM: stopping after a final checkpoint'],
      ['warn', 'SIGTERM again: exiting without a final checkpoint'],
    ]);
  });

  it('by default only warnings and errors are logged', async () => {
    const { code, logs } = await signalTwice(undefined);
    expect(code).toBe(130);
    expect(logs.map((l) => [l.level, l.message])).toEqual([['warn', 'SIGTERM again: exiting without a final checkpoint']]);
  });
});
