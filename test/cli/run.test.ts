import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvery } from '../../src/cli/run.js';

const root = new URL('../..', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/cli/fixtures', name);
// Type-checking a job that imports src/ checks the whole library: one test below covers it.
const cliArgs = (...args: string[]) => ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...(args[0] === 'run' ? ['run', '--no-typecheck', ...args.slice(1)] : args)];
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, cliArgs(...args), { cwd: root, encoding: 'utf8', timeout: 150_000 });
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

// Each case spawns the CLI (tsx, a job, checkpoints): seconds each, more on a loaded machine.
describe('streamframe run', { timeout: 180_000 }, () => {
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
    // 20 ms an element: the signal lands long before the end (~20 s), however slowly the machine passes it on.
    const child = spawn(process.execPath, cliArgs('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '50', '--', '1000', '20'), { cwd: root });
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
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', fixture('dist-job.ts')], { cwd: root, encoding: 'utf8', timeout: 150_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('job dist-job: done');
  });

  // One copy of the library per process: the job's Arrow tables must be the ones the checkpoint code serializes.
  for (const job of ['sdf-job.ts', 'sdf-job.mjs']) {
    it(`the built CLI checkpoints a job with DataFrame state (${job}), restarts from it, and the state reads right`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'sf-run-sdf-'));
      const input = join(dir, 'in.jsonl');
      const rows = Array.from({ length: 3000 }, (_, i) => ({ k: 'abc'[i % 3], x: i % 2 }));
      writeFileSync(input, rows.slice(0, 2000).map((r) => JSON.stringify(r) + '\n').join(''));
      const store = join(dir, 'cp');
      const built = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      const first = built('run', fixture(job), '--checkpoint', store, '--every', '500', '--', input);
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/job sdf-job: starting fresh\n(checkpoint \d+ committed\n)+job sdf-job: done\n$/);
      appendFileSync(input, rows.slice(2000).map((r) => JSON.stringify(r) + '\n').join(''));
      const second = built('run', fixture(job), '--checkpoint', store, '--every', '500', '--', input);
      expect(second.stderr).toBe('');
      expect(second.stdout).toMatch(/job sdf-job: restoring checkpoint (\d+) \(.*B\) from .*\.\.\.\njob sdf-job: restored checkpoint \1 in [\d.]+ s\n/);
      const state = JSON.parse(built('checkpoints', 'show', '--state', 'stats', '--json', store).stdout) as { k: string; x_sum: number; x_mean: number }[];
      expect(state.map(({ k, x_sum, x_mean }) => ({ k, x_sum, x_mean }))).toEqual(
        ['a', 'b', 'c'].map((k) => ({ k, x_sum: 500, x_mean: 0.5 })), // 1000 rows per key, x alternating 0/1
      );
    }, 240_000);
  }

  it('type-checks a TypeScript job first and names the file and line of an error (--no-typecheck runs it anyway)', () => {
    const bad = join(root, 'test/cli/fixtures/.type-error.job.ts'); // beside the package, so 'streamframe' resolves
    writeFileSync(bad, "import { Stream } from 'streamframe';\nexport default () => {\n  const s = Stream.fromIterable([1, 2]);\n  s.map((x: string) => x.length);\n  return s;\n};\n");
    const built = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const checked = built('run', bad);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toMatch(/does not type-check[\s\S]*\.type-error\.job\.ts:4:9: Argument of type/);
    const unchecked = built('run', '--no-typecheck', bad);
    expect(unchecked.status).toBe(0);
    expect(unchecked.stdout).toContain('job .type-error: done'); // the default name drops .job
  }, 240_000);

  it('a syntax error names the file and line, in JavaScript and TypeScript, printed once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-run-syntax-'));
    writeFileSync(join(dir, 'bad.mjs'), 'export default () => {\n  const s = 1 +;\n};\n');
    writeFileSync(join(dir, 'bad.ts'), 'export default () => {\n  const s: number = 1 +;\n};\n');
    for (const file of ['bad.mjs', 'bad.ts']) {
      const r = cli('run', join(dir, file));
      expect(r.code, file).toBe(1);
      expect(r.err, file).toMatch(new RegExp(`${file}:2`));
      expect(r.err.match(/streamframe:/g), file).toHaveLength(1);
    }
  }, 120_000);

  it('a failing job is reported once, in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-run-fail-'));
    writeFileSync(join(dir, 'fails.mjs'), `import { Stream } from ${JSON.stringify(join(root, 'src/index.ts'))};\nexport default () => {\n  const s = Stream.fromIterable([1, 2, 3]);\n  s.map((x) => { if (x === 2) throw new Error('two is bad'); return x; });\n  return s;\n};\n`);
    const r = cli('run', join(dir, 'fails.mjs'));
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^streamframe: .*two is bad/);
  });

  it('every checkpoint damaged: refuses with the damaged files named; --fresh-if-all-damaged starts over', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-run-')), 'cp');
    expect(cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '100', '--', '300').code).toBe(0);
    for (const n of readdirSync(join(store, 'commits'))) writeFileSync(join(store, 'data', n.replace('.json', ''), 'total.json'), '{"broken":');
    const refused = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--', '300');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Every committed checkpoint .* is damaged .*data\/\d+\/total\.json.*--fresh-if-all-damaged/);
    expect(refused.out).not.toContain('starting fresh');
    const fresh = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--fresh-if-all-damaged', '--', '300');
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain('job counter: starting fresh');
    expect(newestTotal(store)).toBe((299 * 300) / 2);
  }, 120_000);

  it('--strict refuses a damaged newest checkpoint; --allow-pipeline-change restores a changed pipeline', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-run-')), 'cp');
    expect(cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '100', '--', '300').code).toBe(0);
    const newest = Math.max(...readdirSync(join(store, 'commits')).map((f) => Number.parseInt(f)));
    writeFileSync(join(store, 'data', String(newest), 'total.json'), '{"broken":');
    const strict = cli('run', fixture('counter-job.ts'), '--checkpoint', store, '--strict', '--', '300');
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(new RegExp(`data/${newest}/total.json`));
    const changed = cli('run', fixture('counter-changed.mjs'), '--checkpoint', store);
    expect(changed.code).toBe(1);
    expect(changed.err).toMatch(/pipeline differs/);
    const allowed = cli('run', fixture('counter-changed.mjs'), '--checkpoint', store, '--allow-pipeline-change');
    expect(allowed.code).toBe(0);
    expect(allowed.out).toMatch(/restored checkpoint \d+/);
  }, 180_000);

  it('SIGHUP stops like SIGTERM: a final checkpoint, exit 0', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-run-')), 'cp');
    // 20 ms an element: the signal lands long before the end (~20 s), however slowly the machine passes it on.
    const child = spawn(process.execPath, cliArgs('run', fixture('counter-job.ts'), '--checkpoint', store, '--every', '50', '--', '1000', '20'), { cwd: root });
    let out = '';
    let hungUp = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (!hungUp && out.includes('checkpoint 1 committed')) hungUp = child.kill('SIGHUP');
    });
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    expect(out).toMatch(/job counter: done\n$/);
    expect(newestTotal(store)).toBeLessThan((999 * 1000) / 2);
  }, 180_000);

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
      ['run', fixture('counter-job.ts'), '--bogus'],
      ['run', fixture('counter-job.ts'), '--checkpoint'],
    ];
    // Seven CLI starts under tsx, one after another, came near the timeout on a loaded machine.
    for (const [args, r] of await Promise.all(bad.map(async (args) => [args, await builtCli(...args)] as const))) {
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err, args.join(' ')).not.toMatch(/To specify a positional|<value>/); // our words, not parseArgs'
    }
    // This job imports the TypeScript sources: under tsx.
    const noStore = cli('run', fixture('two-sources.mjs'), '--every', '10');
    expect(noStore.code).toBe(2);
    expect(noStore.err.trim().split('\n')).toHaveLength(1);
    expect(noStore.err).toMatch(/--every needs --checkpoint/);
    const strictNoStore = cli('run', fixture('two-sources.mjs'), '--strict');
    expect(strictNoStore.code).toBe(2);
    expect(strictNoStore.err.trim().split('\n')).toHaveLength(1);
  }, 240_000);

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
