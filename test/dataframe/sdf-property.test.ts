// Stream-level properties: random batch splits through the DataFrame API equal a plain
// recomputation over all rows (the kernels' naive references from helpers.ts), and snapshot ->
// Parquet -> restore of every stateful node mid-stream gives what an uninterrupted run gives.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { AGG_OPS, DataFrame, ROLL_OPS, Stream, isStateful, nodeIds, parquetToTable, tableToParquet, type AggOp, type Frame, type Stateful } from '../../src/index.js';
import { SCHEMA, close, opsFor, expectedFor, checkGroupby, kindArb, naiveRolling, rowsArb, runs, specArb, split, splitArb, toColumnsObj, windowRows, type Row } from './helpers.js';

const BYS = [[], ['k'], ['n'], ['b'], ['k', 'n'], ['k', 'b', 'n']] as const;

function pipeline() {
  const source = new Stream<unknown>();
  return { source, sdf: new DataFrame(source, { example: SCHEMA }) };
}
const collect = (df: DataFrame<any>) => {
  const out: Frame[] = [];
  df.stream.sink((f) => void out.push(f));
  return out;
};

describe('DataFrame API under random batch splits equals a recomputation over all rows', () => {
  it('cumulative groupby(...).agg(...) after every batch', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, fc.constantFrom(...BYS), fc.subarray([...AGG_OPS], { minLength: 1 }), (rows, sizes, by, ops) => {
        const { source, sdf } = pipeline();
        const agg = by.length === 0 ? sdf.agg({ v: ops }) : sdf.groupby(by).agg({ v: ops });
        const out = collect(agg);
        const seen: Row[] = [];
        for (const part of split(rows, sizes)) {
          source.emit(toColumnsObj(part));
          seen.push(...part);
          const msg = checkGroupby(out.at(-1)!, expectedFor(seen, [...by], ops), [...by], ops.map((o) => `v_${o}`));
          if (msg) throw new Error(msg);
        }
      }),
      { numRuns: runs(80) },
    );
  });

  it('window(n | T).groupby(...).agg(...) after every batch', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, specArb, fc.constantFrom(...BYS), fc.subarray([...AGG_OPS], { minLength: 1 }), (rows, sizes, spec, by, ops) => {
        const { source, sdf } = pipeline();
        const win = sdf.window('n' in spec ? { n: spec.n } : { value: spec.value, on: 'ts' });
        const out = collect(by.length === 0 ? win.agg({ v: ops }) : win.groupby(by).agg({ v: ops }));
        const seen: Row[] = [];
        for (const part of split(rows, sizes)) {
          source.emit(toColumnsObj(part));
          seen.push(...part);
          const msg = checkGroupby(out.at(-1)!, expectedFor(windowRows(seen, spec), [...by], ops), [...by], ops.map((o) => `v_${o}`));
          if (msg) throw new Error(msg);
        }
      }),
      { numRuns: runs(80) },
    );
  });

  it('rolling(n | T) / expanding per-row outputs, any minPeriods', () => {
    fc.assert(
      fc.property(rowsArb(70), splitArb, kindArb, fc.subarray([...ROLL_OPS], { minLength: 1 }), fc.option(fc.integer({ min: 0, max: 4 })), (rows, sizes, kind, ops, mp) => {
        ops = opsFor(kind, ops);
        const { source, sdf } = pipeline();
        const opts = mp === null ? {} : { minPeriods: mp };
        const v = sdf.col('v');
        const roll = 'n' in kind ? v.rolling(kind.n, opts) : 'span' in kind ? v.rolling(kind.span, opts) : v.expanding(opts);
        const out = collect(roll.agg(ops));
        for (const part of split(rows, sizes)) source.emit(toColumnsObj(part));
        const all = out.flatMap((f) => f.toRows());
        expect(all).toHaveLength(rows.length);
        all.forEach((r, i) => {
          for (const op of ops) {
            const got = r[ops.length === 1 ? 'v' : `v_${op}`] as number;
            const win = 'n' in kind ? rows.slice(Math.max(0, i - kind.n + 1), i + 1) : rows.slice(0, i + 1);
            const exp = naiveRolling(rows, i, kind, op, mp ?? ('n' in kind ? kind.n : 1)); // pandas' default, which streamz keeps
            if (!close(got, exp, op, win.map((w) => w.v))) throw new Error(`row ${i} ${op}: ${got} vs ${exp}`);
          }
        });
      }),
      { numRuns: runs(80) },
    );
  });

  it('filter + assign, cumsum/cummax, valueCounts, ewm: split == one batch', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, (rows, sizes) => {
        const run = (parts: Row[][]) => {
          const { source, sdf } = pipeline();
          const v = sdf.col('v');
          const outs = [
            collect(sdf.filter(v.gt(0).or(sdf.col('k').eq('a'))).assign({ w: v.mul(2).add(1) })),
            collect(v.cumsum()),
            collect(v.cummax()),
            collect(v.ewm({ alpha: 0.3 }).mean()),
            collect(v.ewm({ span: 4 }).std()),
          ];
          const counts = collect(sdf.col('k').valueCounts());
          for (const p of parts) source.emit(toColumnsObj(p));
          return { rows: outs.map((o) => o.flatMap((f) => f.toRows({ timestamps: 'ms' }))), counts: counts.at(-1)!.toRows() };
        };
        const a = run(split(rows, sizes));
        const b = run([rows]);
        expect(a).toEqual(b);
        // and against a plain recomputation
        const kept = rows.filter((r) => r.v > 0 || r.k === 'a');
        expect(a.rows[0].map((r) => r.w)).toEqual(kept.map((r) => r.v * 2 + 1));
        const freq = new Map<string, number>();
        for (const r of rows) if (r.k !== null) freq.set(r.k, (freq.get(r.k) ?? 0) + 1);
        expect(Object.fromEntries(a.counts.map((r) => [r.k, r.count]))).toEqual(Object.fromEntries(freq));
      }),
      { numRuns: runs(60) },
    );
  });
});

/** Every stateful operation of the API in one graph; names make the ids stable across builds. */
function bigPipeline() {
  const { source, sdf } = pipeline();
  const v = sdf.col('v');
  const outs: Record<string, Frame[]> = {
    gb: collect(sdf.groupby(['k', 'n']).agg({ v: [...AGG_OPS] }, { name: 'gb' })),
    winN: collect(sdf.window({ n: 7 }).groupby('k').agg({ v: ['sum', 'mean', 'std', 'max', 'first', 'nunique'] }, { name: 'winN' })),
    winT: collect(sdf.window({ value: '2500ms', on: 'ts' }).col('v').agg(['sum', 'min', 'last'], { name: 'winT' })),
    full: collect(sdf.window({ n: 5 }).full({ name: 'full' })),
    top: collect(sdf.window({ n: 9 }).groupby('b').col('v').nlargest(2, { name: 'top' })),
    roll: collect(v.rolling(4).agg(['mean', 'std', 'min'], { name: 'roll' })),
    rollT: collect(v.rolling('2s').sum({ name: 'rollT' })),
    exp: collect(v.expanding().agg(['max', 'var'], { name: 'exp' })),
    ewm: collect(v.ewm({ com: 2 }).var({ name: 'ewm' })),
    cum: collect(v.cumprod({ name: 'cum' })),
    vc: collect(sdf.col('k').valueCounts({ name: 'vc' })),
    nl: collect(sdf.groupby('k').col('v').nlargest(2, { name: 'nl' })),
    acc: collect(sdf.accumulatePartitions((a, f) => ({ n: [a.get('n', 0) as number + f.length] }), { start: { n: [0] }, name: 'acc' })),
  };
  return { source, outs };
}

/**
 * Equal up to rounding. A restored grouped row window recomputes its running sums from its rows
 * (`rolling` restores its own as they were); the uninterrupted run still carries what Welford's
 * removals left: a residue in m2 of about
 * eps · (removed value)², which std's square root makes ~1e-8 × the removed value (|v| ≤ 1000 here).
 */
const approx = (a: unknown, b: unknown, absTol = 1e-6): boolean => {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) + absTol;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => approx(x, b[i], absTol));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => approx((a as never)[k], (b as never)[k], k.endsWith('std') ? 1e-4 : absTol));
  }
  return a === b;
};

describe('snapshot -> Parquet -> restore through the stream nodes', () => {
  it('mid-stream restore into a new graph continues exactly like an uninterrupted run', () => {
    fc.assert(
      fc.property(rowsArb(), splitArb, fc.nat(), fc.boolean(), (rows, sizes, cut, viaParquet) => {
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        const whole = bigPipeline();
        for (const p of parts) whole.source.emit(toColumnsObj(p));

        const before = bigPipeline();
        for (const p of parts.slice(0, c)) before.source.emit(toColumnsObj(p));
        const states = new Map<string, arrow.Table>();
        for (const [node, id] of nodeIds(before.source)) {
          if (!isStateful(node)) continue;
          const t = (node as unknown as Stateful<arrow.Table>).snapshot();
          expect(t).toBeInstanceOf(arrow.Table);
          states.set(id, viaParquet ? parquetToTable(tableToParquet(t)) : t);
        }
        // keep feeding the old graph: its later mutations must not leak into the taken snapshots
        for (const p of parts.slice(c)) before.source.emit(toColumnsObj(p));

        const after = bigPipeline();
        after.source.emit({ k: ['zz', 'e'], n: [1, 2], b: [true, null], v: [1, 2], ts: [0, 0] }); // dirty state and shifted dictionary codes
        let restored = 0;
        for (const [node, id] of nodeIds(after.source)) {
          if (isStateful(node)) {
            (node as unknown as Stateful<arrow.Table>).restore(states.get(id)!);
            restored++;
          }
        }
        expect(restored).toBe(13);
        for (const o of Object.values(after.outs)) o.length = 0;
        for (const p of parts.slice(c)) after.source.emit(toColumnsObj(p));
        for (const [name, frames] of Object.entries(after.outs)) {
          const expected = whole.outs[name].slice(c).map((f) => f.toRows({ timestamps: 'ms' }));
          const got = frames.map((f) => f.toRows({ timestamps: 'ms' }));
          if (!approx(got, expected)) throw new Error(`${name}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
        }
      }),
      { numRuns: runs(40) },
    );
  });
});
