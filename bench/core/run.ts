/**
 * Core benchmark: streamz 0.6.4 (Debian's python3-streamz under /usr/bin/python3), streamframe
 * (fused chains, and with fusion switched off) and a hand-written loop, on the same inputs in one
 * run. Each is timed as the first pipeline of a fresh process and as a later one, built after
 * every workload has run once in that process (as in any program with several pipelines, where
 * shared call sites have seen many node kinds and functions). Reports events per CPU-second
 * (`process.cpuUsage` of the timed pass: the machine is shared, and wall time counts the others'
 * work too) and the ratios; the fresh processes of one workload run interleaved, in rounds.
 * Usage: npx tsx bench/core/run.ts [passes] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFusion } from '../../src/core/fuse.js';
import { workloads, type Workload } from './workloads.js';

const passes = Number(process.argv[2] ?? 7);
const ROUNDS = Number(process.argv[3] ?? 3);
/** The hand loop; streamframe fused and unfused; both again with stats on every node (a job with `metrics: true`). */
const IMPLS = ['handLoop', 'fused', 'unfused', 'fusedMetrics', 'unfusedMetrics'] as const;
type Impl = (typeof IMPLS)[number];
type Order = 'first' | 'later';
interface Timing {
  seconds: number;
  result: number;
}

function build(w: Workload, impl: Impl, out: (x: number) => void): (data: number[]) => void {
  setFusion(impl === 'fused' || impl === 'fusedMetrics');
  return impl === 'handLoop' ? w.handLoop(out) : w.streamframe(out, impl.endsWith('Metrics'));
}

/** Best of `passes` over one pipeline (or hand loop); the result is the first pass's last output. */
function time(w: Workload, impl: Impl, events: number, runs = passes): Timing {
  const data = Array.from({ length: events }, (_, i) => i);
  let last = NaN;
  const run = build(w, impl, (x) => {
    last = x;
  });
  let best = Infinity;
  let first = NaN;
  for (let p = 0; p < runs; p++) {
    const start = process.cpuUsage();
    run(data);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e6);
    if (p === 0) first = last;
  }
  return { seconds: best, result: first };
}

/** In a child: run every workload's pipeline once first for `later`, then time one. */
function child(w: Workload, impl: Impl, order: Order): Timing {
  if (order === 'later') for (const other of workloads) time(other, impl === 'handLoop' ? 'fused' : impl, other.streamzEvents, 1);
  return time(w, impl, w.events);
}

/** One fresh process timing one (workload, implementation, order). */
function timeInChild(w: Workload, impl: Impl, order: Order): Timing {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), String(passes), '1', '--child', w.name, impl, order];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop()!) as Timing;
}

/**
 * Every (implementation, order) of a workload in fresh processes, in rounds that run each once, so
 * a burst of load falls on all alike; best of the rounds. Fresh processes, because one JIT's state
 * (a hand loop optimized far better in one process than another) must not decide the ratio.
 */
function timeInterleaved(w: Workload): Record<`${Impl} ${Order}`, Timing> {
  const t = {} as Record<`${Impl} ${Order}`, Timing>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const impl of IMPLS) {
      for (const order of ['first', 'later'] as const) {
        const r = timeInChild(w, impl, order);
        if (!(t[`${impl} ${order}`]?.seconds <= r.seconds)) t[`${impl} ${order}`] = r;
      }
    }
  }
  return t;
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) {
  const [name, impl, order] = process.argv.slice(childAt + 1);
  console.log(JSON.stringify(child(workloads.find((x) => x.name === name)!, impl as Impl, order as Order)));
} else {
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  const loadAtStart = load();
  const script = fileURLToPath(new URL('./streamz_core.py', import.meta.url));
  const streamz = JSON.parse(execFileSync('/usr/bin/python3', [script, '2'], { encoding: 'utf8' })) as { name: string; seconds: number; result: number }[];
  const fmt = (eps: number) => (eps >= 1e6 ? `${(eps / 1e6).toFixed(1)}M` : `${(eps / 1e3).toFixed(0)}k`);
  const rows = [
    '| workload | pipeline | streamz | hand loop | fused | unfused | fused, metrics | unfused, metrics | ÷ hand loop: fused / unfused / fused, metrics / unfused, metrics |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const w of workloads) {
    const z = streamz.find((r) => r.name === w.name)!;
    for (const impl of IMPLS) {
      const r = time(w, impl, w.streamzEvents, 1).result;
      if (r !== z.result) throw new Error(`${w.name}: ${impl} gave ${r}, streamz ${z.result}`);
    }
    const t = timeInterleaved(w);
    const results = new Set(Object.values(t).map((x) => x.result));
    if (results.size !== 1) throw new Error(`${w.name}: results differ between implementations: ${[...results].join(', ')}`);
    const hand = Math.min(t['handLoop first'].seconds, t['handLoop later'].seconds);
    const eps = (s: number) => fmt(w.events / s);
    for (const order of ['first', 'later'] as const) {
      const cell = (impl: Impl) => eps(t[`${impl} ${order}`].seconds);
      const ratios = IMPLS.slice(1).map((impl) => `${(t[`${impl} ${order}`].seconds / hand).toFixed(2)}×`);
      const zCell = order === 'first' ? eps(z.seconds * (w.events / w.streamzEvents)) : '';
      rows.push(`| ${w.name} (${w.events / 1000}k ints) | ${order} | ${zCell} | ${eps(hand)} | ${IMPLS.slice(1).map(cell).join(' | ')} | ${ratios.join(' / ')} |`);
    }
  }
  console.log(rows.join('\n'));

  console.log(
    `\nevents per CPU-second; best of ${passes} passes over one pipeline, best of ${ROUNDS} interleaved rounds of fresh processes; "later": built after every workload ran once in the process; hand loop: the better of its first and later; ` +
      `streamz: best of 2 passes over its own count, CPU time too (results checked equal on that count); node ${process.version}; load average at start ${loadAtStart}, at end ${load()}.`,
  );
}
