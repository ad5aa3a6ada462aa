import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  }, 120_000);
});
