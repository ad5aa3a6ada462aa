import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataFrame, runJob, Stream } from '../../src/index.js';

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

describe('streamframe checkpoints', { timeout: 180_000 }, () => { // each test starts the CLI under tsx: tens of seconds on a loaded machine
  it('list shows every checkpoint: intact or damaged, created, age, size', () => {
    const r = cli('checkpoints', 'list', store);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^checkpoint\s+status\s+created\s+age\s+size$/m);
    expect(r.out).toMatch(/^\s+1\s+ok\s+\d{4}-\d\d-\d\dT\S+\s+\d+ s\s+[\d.]+ (B|kB)$/m);
    const json = JSON.parse(cli('checkpoints', 'list', '--json', store).out) as { checkpoint: number; committed: boolean }[];
    expect(json.length).toBeGreaterThanOrEqual(2);
    expect(json.every((c) => c.committed)).toBe(true);
  });

  it('show prints source positions and each node state summary', () => {
    const r = cli('checkpoints', 'show', store);
    expect(r.code).toBe(0);
    expect(r.out).toContain('numbers: 50');
    expect(r.out).toMatch(/total \(accumulate\)\s+data\/\d+\/total\.json\s+\d+ B/);
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

  it('list and show name a damaged checkpoint and its file', () => {
    const copy = mkdtempSync(join(tmpdir(), 'sf-cli-damaged-'));
    spawnSync('cp', ['-r', store + '/.', copy]);
    writeFileSync(join(copy, 'data', '2', 'total.json'), '{"broken": ');
    const listed = cli('checkpoints', 'list', copy);
    expect(listed.out).toMatch(/^\s+2\s+damaged/m);
    expect(listed.out).toMatch(/checkpoint 2 damaged: data\/2\/total\.json: (size|checksum) mismatch/);
    const shown = cli('checkpoints', 'show', '2', copy);
    expect(shown.out).toMatch(/^checkpoint 2 of job cli — DAMAGED, .* ago\), [\d.]+ (B|kB)$/m);
    expect(shown.out).toMatch(/damaged: data\/2\/total\.json/);
  });

  it('show --state prints a node\'s state (JSON as JSON, Parquet as a table)', async () => {
    const r = cli('checkpoints', 'show', '--state', 'total', store);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ state: 1225 });
    const missing = cli('checkpoints', 'show', '--state', 'nope', store);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no state for node "nope"; nodes with state: .*total/);
    // A DataFrame groupby: its Parquet state as rows, result columns under their output names.
    const sdfStore = join(mkdtempSync(join(tmpdir(), 'sf-cli-sdf-')), 'job');
    const source = Stream.fromIterable([[{ k: 'a', x: 1 }, { k: 'b', x: 2 }, { k: 'a', x: 3 }]]).name('rows');
    new DataFrame(source, { example: { k: 'utf8', x: 'float64' } }).groupby('k').agg({ x: ['sum', 'mean'] }).stream.name('stats');
    await runJob(source, { name: 'sdf', handleSignals: false, checkpoint: { store: sdfStore } }).done;
    const table = cli('checkpoints', 'show', '--state', 'stats', sdfStore);
    expect(table.out).toMatch(/^stats \(sdfGroupby\) in checkpoint 1: 2 rows\nk\s+x_sum\s+x_mean\s+_internal\.x\.count/);
    expect(table.out).toMatch(/^a\s+4\s+2\s/m);
    expect(table.out).toMatch(/^b\s+2\s+2\s/m);
  }, 60_000);

  it('a store path that does not exist or is a file is an error, exit 1; verify of an empty store too', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sf-cli-file-')), 'plain.txt');
    writeFileSync(file, 'not a store');
    for (const sub of [['list'], ['show'], ['verify'], ['prune', '--keep', '1']]) {
      const missing = cli('checkpoints', ...sub, '/nonexistent/store');
      expect(missing.code, sub.join(' ')).toBe(1);
      expect(missing.err, sub.join(' ')).toMatch(/no checkpoint store at \/nonexistent\/store: no such directory/);
      const plain = cli('checkpoints', ...sub, file);
      expect(plain.code, sub.join(' ')).toBe(1);
      expect(plain.err, sub.join(' ')).toMatch(/is a file, not a checkpoint store/);
    }
    const empty = cli('checkpoints', 'verify', mkdtempSync(join(tmpdir(), 'sf-cli-empty-')));
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/no checkpoints in .*: nothing to verify/);
  }, 120_000);

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
  }, 180_000);

  it('--help on every command', () => {
    expect(cli('--help').out).toMatch(/streamframe checkpoints/);
    expect(cli('checkpoints', '--help').out).toMatch(/prune --keep K <store>/);
  });
});
