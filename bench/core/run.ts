/**
 * Core benchmark: streamz 0.6.4 (Debian's python3-streamz under /usr/bin/python3), streamframe and
 * a hand-written loop, on the same inputs in one run. Reports events/s and the ratios.
 * Usage: npx tsx bench/core/run.ts [passes]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workloads, type Workload } from './workloads.js';

const passes = Number(process.argv[2] ?? 7);
const PROCESSES = 3;

/** Best of `passes` over one pipeline (or hand loop), in this process. */
function time(w: Workload, build: Workload['streamframe']): { seconds: number; result: number } {
  const data = Array.from({ length: w.events }, (_, i) => i);
  let last = NaN;
  const run = build((x) => {
    last = x;
  });
  let best = Infinity;
  let first = NaN;
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    run(data);
    best = Math.min(best, (performance.now() - start) / 1000);
    if (p === 0) first = last;
  }
  return { seconds: best, result: first };
}

/**
 * Each (workload, implementation) is timed in fresh processes, best of several: one JIT's state
 * (a hand loop optimized far better in one process than another) must not decide the ratio.
 */
function timeInChild(workload: string, impl: 'streamframe' | 'handLoop'): { seconds: number; result: number } {
  let best = { seconds: Infinity, result: NaN };
  for (let i = 0; i < PROCESSES; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(passes), '--child', workload, impl], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; result: number };
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) {
  const w = workloads.find((x) => x.name === process.argv[childAt + 1])!;
  const impl = process.argv[childAt + 2] as 'streamframe' | 'handLoop';
  console.log(JSON.stringify(time(w, w[impl])));
} else {
  const script = fileURLToPath(new URL('./streamz_core.py', import.meta.url));
  const streamz = JSON.parse(execFileSync('/usr/bin/python3', [script, '2'], { encoding: 'utf8' })) as { name: string; seconds: number; result: number }[];
  const fmt = (eps: number) => (eps >= 1e6 ? `${(eps / 1e6).toFixed(2)}M` : `${(eps / 1e3).toFixed(0)}k`);
  const rows = ['| workload | streamz events/s | streamframe events/s | hand loop events/s | × streamz | ÷ hand loop |', '|---|---|---|---|---|---|'];
  for (const w of workloads) {
    const z = streamz.find((r) => r.name === w.name)!;
    const sf = timeInChild(w.name, 'streamframe');
    const hand = timeInChild(w.name, 'handLoop');
    if (sf.result !== z.result || hand.result !== z.result) throw new Error(`${w.name}: results differ (streamz ${z.result}, streamframe ${sf.result}, hand ${hand.result})`);
    const eps = (s: number) => w.events / s;
    rows.push(`| ${w.name} (${w.events / 1000}k ints) | ${fmt(eps(z.seconds))} | ${fmt(eps(sf.seconds))} | ${fmt(eps(hand.seconds))} | ${(z.seconds / sf.seconds).toFixed(0)}× | ${(sf.seconds / hand.seconds).toFixed(2)}× |`);
  }
  console.log(rows.join('\n'));
  console.log(`\nbest of ${passes} passes over one pipeline, best of ${PROCESSES} fresh processes each (streamz: best of 2 passes); node ${process.version}; results checked equal across all three.`);
}
