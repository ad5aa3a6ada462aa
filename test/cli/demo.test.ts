import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

/** Run `streamframe demo`; `interruptWhen` sends SIGINT once stdout matches it. */
function demo(args: string[], interruptWhen?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'demo', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (interruptWhen !== undefined && !sent && interruptWhen.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('streamframe demo (npm start)', () => {
  it('runs, shows progress, takes a final checkpoint on Ctrl-C, and continues from it when run again', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-demo-')), 'demo');
    const first = await demo(['--checkpoint', store], /checkpoint #\d+/);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^fresh start; checkpoints go to /m);
    expect(first.out).toMatch(/batches [\d,]+ \| rows [\d,]+ \| [\d,]+ rows\/s \| checkpoint #\d+, [\d.]+ s ago/);
    expect(first.out).toMatch(/x by y .*z over last 10 s: mean/);
    const stopped = Number(/stopped after checkpoint (\d+)/.exec(first.out)?.[1]);
    expect(stopped).toBeGreaterThan(0);

    const second = await demo(['--checkpoint', store, '--batches', '3']);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(new RegExp(`^restored checkpoint ${stopped} from `, 'm'));
    expect(Number(/stopped after checkpoint (\d+)/.exec(second.out)?.[1])).toBeGreaterThan(stopped);
  }, 120_000);
});
