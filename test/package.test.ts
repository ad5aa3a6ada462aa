import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

describe('the package', { timeout: 120_000 }, () => { // child processes: seconds each to start on a loaded machine
  it("resolves `import { Stream } from 'streamframe'` inside the repo (self-reference to the built output)", () => {
    const script = join(root, 'test', '.self-reference.mjs');
    writeFileSync(script, "import { Stream } from 'streamframe';\nconst s = new Stream();\nconst out = s.map((x) => x * 2).sinkToList();\ns.emit(21);\nconsole.log(out[0]);\n");
    expect(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim()).toBe('42');
  });

  it('exposes the streamframe bin', () => {
    const out = execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/streamframe/);
  });

  it('packs the built files and README only, and installs from the tarball without danfo (optional), which toDanfo then names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-consumer-'));
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']));
    expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|^dist\/(test|bench)\//.test(f))).toEqual([]);

    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', dependencies: { streamframe: `file:./${packed.filename}` } }));
    // The dependencies come from npm's cache (the repo installed them): no peer is left out by hand.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'ignore' });
    expect(existsSync(join(dir, 'node_modules/streamframe/src'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/danfojs'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/danfojs-node'))).toBe(false);
    writeFileSync(
      join(dir, 'main.mjs'),
      [
        "import { ingest, Stream, toDanfo } from 'streamframe';",
        'const s = Stream.fromIterable([1, 2, 3]);',
        'const out = s.accumulate((a, x) => a + x).sinkToList();',
        'await s.start();',
        "const danfo = await toDanfo(ingest({ x: [1] }, { x: 'float64' })).then(() => 'loaded', (e) => e.message);",
        "console.log(out.join(',') + ' ' + danfo);",
      ].join('\n'),
    );
    expect(execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('1,3,6 install danfojs or danfojs-node to use toDanfo');
    expect(execFileSync(join(dir, 'node_modules/.bin/streamframe'), ['--help'], { cwd: dir, encoding: 'utf8' })).toMatch(/streamframe/);

    // `streamframe run` on a TypeScript job with DataFrame state, in the project that installed it
    // (tsx comes with streamframe), checkpointing and restarting.
    writeFileSync(join(dir, 'in.jsonl'), Array.from({ length: 900 }, (_, i) => JSON.stringify({ k: 'ab'[i % 2], x: i % 3 }) + '\n').join(''));
    writeFileSync(
      join(dir, 'stats.job.ts'),
      "import { DataFrame, defineJob, Stream } from 'streamframe';\nexport default defineJob(() => {\n  const lines = Stream.fromTextFile('in.jsonl', { follow: false }).name('lines');\n  const sdf = new DataFrame(lines.map((l: string) => [JSON.parse(l) as { k: string; x: number }]), { example: { k: 'utf8', x: 'float64' } });\n  sdf.groupby('k').agg({ x: ['sum'] }).stream.name('stats');\n  return lines;\n});\n",
    );
    const run = () => execFileSync('npx', ['streamframe', 'run', 'stats.job.ts', '--no-typecheck', '--checkpoint', 'ck', '--every', '200'], { cwd: dir, encoding: 'utf8' });
    expect(run()).toMatch(/job stats: starting fresh\n(checkpoint \d+ committed\n)+job stats: done/);
    expect(run()).toMatch(/job stats: restored checkpoint \d+/);
    const state = JSON.parse(execFileSync('npx', ['streamframe', 'checkpoints', 'show', '--state', 'stats', '--json', 'ck'], { cwd: dir, encoding: 'utf8' }));
    expect(state.map((r: { k: string; x_sum: number }) => [r.k, r.x_sum])).toEqual([['a', 450], ['b', 450]]);
  }, 240_000);

  it('ships tsx as a dependency, so `streamframe run job.ts` works where streamframe is installed', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.devDependencies?.tsx).toBeUndefined();
  });
});
