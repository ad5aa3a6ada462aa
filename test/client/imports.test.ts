import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/', import.meta.url).pathname;

/** Every package a module pulls in, following its relative imports (type-only imports load nothing). */
function packagesLoadedBy(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, typeOnly, spec] of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?'([^']+)'/gm)) {
    if (typeOnly) continue;
    if (spec.startsWith('.')) packagesLoadedBy(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen, packages);
    else packages.add(spec);
  }
  return packages;
}

describe("'streamframe/client'", () => {
  it('loads kafkajs and Node built-ins only: a publisher does not load the engine (Arrow, Parquet, S3, DataFrames)', () => {
    const loaded = packagesLoadedBy(join(src, 'client/index.ts'));
    expect([...loaded].filter((p) => !p.startsWith('node:')).sort()).toEqual(['kafkajs']);
  });

  it('is exported as a subpath of the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { import: string; types: string }> };
    expect(pkg.exports['./client']).toMatchObject({ import: './dist/client/index.js', types: './dist/client/index.d.ts' });
    // Resolved through the package's own name, as a publisher imports it (the built output: `npm test` builds first).
    const script = new URL('../.self-reference-client.mjs', import.meta.url).pathname;
    writeFileSync(script, "import { waitProcessed, ProgressClient } from 'streamframe/client';\nconsole.log(typeof waitProcessed, typeof ProgressClient);\n");
    try {
      expect(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim()).toBe('function function');
    } finally {
      rmSync(script, { force: true });
    }
  });
});
