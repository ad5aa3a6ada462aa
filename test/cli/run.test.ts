import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvery } from '../../src/cli/run.js';

const root = new URL('../..', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/cli/fixtures', name);
const cliArgs = (...args: string[]) => ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args];
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, cliArgs(...args), { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
/** The built CLI (a third of tsx's start-up time), asynchronously so that several run side by side. */
const builtCli = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
const newestTotal = (store: string) => {
  const n = Math.max(...readdirSync(join(store, 'commits')).map((f) => Number.parseInt(f)));
  return (JSON.parse(readFileSync(join(store, 'data', String(n), 'total.json'), 'utf8')) as { state: number }).state;
};

// Every test here starts the CLI (tsx compiles on the fly): seconds each on a quiet machine, tens of
// seconds on a loaded 2-core one.
describe('streamframe run', { timeout: 120_000 }, () => {
  it('runs a TypeScript job with checkpoints, then restores the last one', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-run-')), 'cp');
    const first = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '100', '--', '300');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^job counter: starting fresh\ncheckpoint 1 committed\n/);
    expect(first.out).toMatch(/checkpoint 4 committed\njob counter: done\n$/);
    expect(newestTotal(store)).toBe((299 * 300) / 2);
    const again = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--', '300');
    expect(again.out).toContain('job counter: restored checkpoint 4');
    expect(newestTotal(store)).toBe((299 * 300) / 2);
  });

  it('stops on SIGTERM with a final checkpoint and resumes from it with the exact state', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-run-')), 'cp');
    const child = spawn(process.execPath, cliArgs('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '50', '--', '1000'), { cwd: root });
    let out = '';
    let killed = false; // once: a second signal means "exit now" (and after the job ends, the default: die)
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (!killed && out.includes('checkpoint 1 committed')) killed = child.kill('SIGTERM');
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/job counter: done\n$/);
    const stoppedAt = newestTotal(store);
    expect(stoppedAt).toBeLessThan((999 * 1000) / 2); // it really stopped midway
    const resumed = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--', '1000');
    expect(resumed.out).toMatch(/job counter: restored checkpoint \d+/);
    expect(newestTotal(store)).toBe((999 * 1000) / 2);
  });

  it('runs a JavaScript job that returns an array of sources, without a checkpoint store', () => {
    const r = cli('run', fixture('two-sources.mjs'));
    expect(r.code).toBe(0);
    expect(r.out).toBe('job two-sources: starting fresh (no checkpoint store)\njob two-sources: done\n');
  });

  it('passes --metrics-port to the job: metrics are served while it runs', async () => {
    const env = { ...process.env, STREAMFRAME_LOG_LEVEL: 'info' };
    const child = spawn(process.execPath, cliArgs('run', fixture('counter-job.ts'), '--metrics-port', '0', '--', '100000'), { cwd: root, env });
    let err = '';
    let served: Promise<string> | undefined;
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      const port = /"message":"serving metrics".*"port":(\d+)/.exec(err)?.[1];
      served ??= port === undefined ? undefined : fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).finally(() => child.kill('SIGTERM'));
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0); // stopped by SIGTERM after the scrape, with a final checkpoint
    expect(await served).toMatch(/streamframe_node_elements_in_total\{node="total",kind="accumulate",job="counter"\} \d+/);
  });

  it('the built CLI loads a TypeScript job through tsx by itself', () => {
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', fixture('dist-job.ts')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('job dist-job: done');
  });

  it('--help, and one-line errors with exit 2 for bad arguments', async () => {
    const help = await builtCli('run', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/streamframe run <job.ts\|job.js>/);
    const bad = [
      ['run'],
      ['run', fixture('counter-job.ts'), '--every', '10x'],
      ['run', fixture('counter-job.ts'), '--every', '0'],
      ['run', fixture('counter-job.ts'), '--metrics-port', 'http'],
      ['run', fixture('counter-job.ts'), '--svg', 'x.svg'],
      ['run', 'no-such-job.ts'],
    ];
    // Seven CLI starts under tsx, one after another, came near the timeout on a loaded machine.
    for (const [args, r] of await Promise.all(bad.map(async (args) => [args, await builtCli(...args)] as const))) {
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // This job imports the TypeScript sources: under tsx.
    const noStore = cli('run', fixture('two-sources.mjs'), '--every', '10');
    expect(noStore.code).toBe(2);
    expect(noStore.err.trim().split('\n')).toHaveLength(1);
    expect(noStore.err).toMatch(/--every needs --checkpoint/);
  });

  it('a module that does not build sources fails with exit 1 and says why', () => {
    const r = cli('run', fixture('not-a-job.ts'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/must return a source.*got 42/);
  });
});

describe('parseEvery', () => {
  it('reads elements, durations and both', () => {
    expect(parseEvery('1000')).toEqual({ elements: 1000 });
    expect(parseEvery('10s')).toEqual({ ms: 10_000 });
    expect(parseEvery('1000,500ms')).toEqual({ elements: 1000, ms: 500 });
    expect(parseEvery('1.5m')).toEqual({ ms: 90_000 });
    expect(() => parseEvery('1.5')).toThrow(/--every/);
  });
});
