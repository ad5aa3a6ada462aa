import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/cli/fixtures', name);
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 150_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('streamframe graph', { timeout: 180_000 }, () => {
  it("prints the job's graph as DOT without running it", () => {
    const r = cli('graph', fixture('two-sources.mjs'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^digraph pipeline \{/);
    expect(r.out).toContain('"a" -> "union-0";');
    expect(r.out).toContain('"b" -> "union-0";');
    expect(r.out).toContain('"count" [label="count\\naccumulate\\nstart=0');
  });

  it('prints Mermaid with --mermaid', () => {
    const r = cli('graph', fixture('counter-job.ts'), '--mermaid');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^flowchart TD\n/);
  });

  it('writes SVG with --svg', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sf-graph-')), 'g.svg');
    const r = cli('graph', fixture('counter-job.ts'), '--svg', out);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/>total<\/text>[\s\S]*>accumulate<\/text>/);
    expect(svg).toContain('xlink:title="total (accumulate)&#10;start = 0'); // every parameter in the tooltip
  });

  it('--help, and exit 2 with one line for bad arguments', () => {
    expect(cli('graph', '--help').out).toMatch(/streamframe graph <job/);
    for (const args of [['graph'], ['graph', fixture('two-sources.mjs'), '--checkpoint', 'x'], ['graph', fixture('two-sources.mjs'), '--svg', 'a.svg', '--mermaid'], ['graph', 'missing.ts']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
