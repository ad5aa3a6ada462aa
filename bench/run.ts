/**
 * Every benchmark, one after another, each in its own process (a fresh JIT, nothing shared).
 * Usage: npm run bench [-- core sdf checkpoint kafka join]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const suites: Record<string, string[]> = {
  core: ['bench/core/run.ts'],
  sdf: ['bench/sdf/run.ts'],
  checkpoint: ['bench/checkpoint/store-bench.ts', 'bench/checkpoint/pipeline-bench.ts'],
  kafka: ['bench/kafka/run.ts', 'bench/kafka/restart.ts'],
  join: ['bench/join/core-join.ts'],
};

const root = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.argv.slice(2);
for (const name of wanted) if (!(name in suites)) throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(suites).join(', ')}`);
let failed = false;
for (const [name, scripts] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  for (const script of scripts) {
    if (!existsSync(`${root}/${script}`)) continue;
    console.log(`\n## ${name}: ${script}\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', script], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
