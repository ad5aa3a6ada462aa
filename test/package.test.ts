import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

describe('the package', () => {
  it("resolves `import { Stream } from 'streamframe'` inside the repo (self-reference to the built output)", () => {
    const script = join(root, 'test', '.self-reference.mjs');
    writeFileSync(script, "import { Stream } from 'streamframe';\nconst s = new Stream();\nconst out = s.map((x) => x * 2).sinkToList();\ns.emit(21);\nconsole.log(out[0]);\n");
    expect(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim()).toBe('42');
  });

  it('exposes the streamframe bin', () => {
    const out = execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/streamframe/);
  });

  it('works from another project that installs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-consumer-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', dependencies: { streamframe: `file:${root}` } }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=peer', '--install-links=false'], { cwd: dir, stdio: 'ignore' });
    writeFileSync(join(dir, 'main.mjs'), "import { Stream } from 'streamframe';\nconst s = Stream.fromIterable([1, 2, 3]);\nconst out = s.accumulate((a, x) => a + x).sinkToList();\nawait s.start();\nconsole.log(out.join(','));\n");
    expect(execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('1,3,6');

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
