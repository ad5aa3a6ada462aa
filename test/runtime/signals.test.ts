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

/** Start the job, SIGTERM it once running, again once it says it is stopping (or, at warn level, once the first is surely handled); its JSON log lines and exit. */
function signalTwice(logLevel: string | undefined): Promise<{ code: number | null; logs: LogLine[] }> {
  const env = { ...process.env };
  if (logLevel === undefined) delete env.STREAMFRAME_LOG_LEVEL;
  else env.STREAMFRAME_LOG_LEVEL = logLevel;
  const child = spawn(process.execPath, [job, mkdtempSync(join(tmpdir(), 'sf-signals-'))], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let signals = 0;
  const signal = () => signals < 2 && (signals++, child.kill('SIGTERM'));
  child.stdout.on('data', (d: Buffer) => d.toString().includes('running') && signal());
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('stopping after a final checkpoint')) signal();
  });
  // At warn level the first signal's "stopping" line is not printed: signal again after the first was sent and some time passed.
  const timer = logLevel === undefined ? setInterval(() => signals === 1 && signal(), 500) : undefined;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, logs: stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine) });
    });
  });
}

describe('signals and logs', () => {
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
