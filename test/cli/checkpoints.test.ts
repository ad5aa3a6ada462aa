import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let store: string;

beforeAll(async () => {
  store = join(mkdtempSync(join(tmpdir(), 'sf-cli-')), 'job');
  const source = Stream.fromIterable(Array.from({ length: 50 }, (_, i) => i)).name('numbers');
  source.accumulate((a, x) => a + x, { start: 0 }).name('total');
  source.slidingWindow(5).name('last5');
  await runJob(source, { name: 'cli', handleSignals: false, checkpoint: { store, every: { elements: 10 } } }).done;
}, 60_000);

describe('streamframe checkpoints', { timeout: 120_000 }, () => { // each test starts the CLI under tsx: tens of seconds on a loaded machine
  it('list shows every checkpoint with its state', () => {
    const r = cli('checkpoints', 'list', store);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+1\s+committed/m);
    const json = JSON.parse(cli('checkpoints', 'list', '--json', store).out) as { checkpoint: number; committed: boolean }[];
    expect(json.length).toBeGreaterThanOrEqual(2);
    expect(json.every((c) => c.committed)).toBe(true);
  });

  it('show prints source positions and each node state summary', () => {
    const r = cli('checkpoints', 'show', store);
    expect(r.code).toBe(0);
    expect(r.out).toContain('numbers: 50');
    expect(r.out).toMatch(/total \(accumulate\)\s+data\/\d+\/total\.json\s+\d+ bytes/);
    const json = JSON.parse(cli('checkpoints', 'show', '1', store, '--json').out);
    expect(json.checkpoint).toBe(1);
    expect(json.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['last5', 'total']);
  });

  it('verify passes an intact store and names the damaged file, exit 1', () => {
    expect(cli('checkpoints', 'verify', store).code).toBe(0);
    const copy = mkdtempSync(join(tmpdir(), 'sf-cli-damaged-'));
    spawnSync('cp', ['-r', store + '/.', copy]);
    writeFileSync(join(copy, 'data', '1', 'total.json'), '{"broken": ');
    const r = cli('checkpoints', 'verify', copy);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/data\/1\/total\.json/);
  });

  it('prune keeps the newest K', () => {
    const copy = mkdtempSync(join(tmpdir(), 'sf-cli-prune-'));
    spawnSync('cp', ['-r', store + '/.', copy]);
    const r = cli('checkpoints', 'prune', '--keep', '1', copy);
    expect(r.code).toBe(0);
    expect(readdirSync(join(copy, 'commits'))).toHaveLength(1);
  });

  it('bad arguments get one line on stderr and exit code 2', () => {
    for (const args of [['checkpoints', 'prune', store], ['checkpoints', 'frobnicate', store], ['checkpoints', 'show', 'x', store], ['nonsense'], ['demo', '--count', '-3'], ['--bogus']]) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^streamframe: /);
    }
  });

  it('--help on every command', () => {
    expect(cli('--help').out).toMatch(/streamframe checkpoints/);
    expect(cli('checkpoints', '--help').out).toMatch(/prune --keep K <store>/);
  });
});
