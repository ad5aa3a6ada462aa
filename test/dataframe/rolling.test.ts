import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CumulativeState, EwmState, Ingestor, RollingState, ROLL_OPS, expanding, type RollOp, type EwmParams, type CumOp } from '../../src/dataframe/index.js';
import { close, ipcRoundTrip, opsFor, kindArb, naive, naiveRolling, rowsArb, split, splitArb, toColumnsObj, type Kind, type Row } from './helpers.js';
import { runs } from './helpers.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const nn = (xs: (number | null)[]) => xs.map((x) => (x === null ? NaN : x));
const schema = { k: 'utf8', n: 'int32', b: 'bool', v: 'float64', ts: 'timestamp' } as const;

function makeRolling(kind: Kind, ops: RollOp[], minPeriods?: number): RollingState {
  if ('n' in kind) return new RollingState({ column: 'v', window: kind.n, ops, minPeriods });
  if ('span' in kind) return new RollingState({ column: 'v', window: kind.span, on: 'ts', ops, minPeriods });
  return expanding({ column: 'v', ops, minPeriods });
}

describe('rolling / expanding (property: streamed == naive over the whole input)', () => {
  it('all ops, count and time windows, random batches and min_periods', () => {
    fc.assert(
      fc.property(rowsArb(70), splitArb, kindArb, fc.subarray([...ROLL_OPS], { minLength: 1 }), fc.option(fc.integer({ min: 0, max: 4 })), (rows, sizes, kind, ops, mp) => {
        ops = opsFor(kind, ops);
        const ing = new Ingestor({ ...schema });
        const r = makeRolling(kind, ops, mp ?? undefined);
        let i = 0;
        for (const part of split(rows, sizes)) {
          const out = r.update(ing.ingest(toColumnsObj(part)));
          expect(out.length).toBe(part.length);
          for (let j = 0; j < part.length; j++, i++) {
            for (const op of ops) {
              const name = ops.length === 1 ? 'v' : `v_${op}`;
              const got = out.get(name, j) as number;
              const win = 'n' in kind ? rows.slice(Math.max(0, i - kind.n + 1), i + 1) : rows.slice(0, i + 1);
              const exp = naiveRolling(rows, i, kind, op, mp ?? undefined);
              if (!close(got, exp, op, win.map((w) => w.v))) throw new Error(`row ${i} ${op}: ${got} vs ${exp}`);
            }
          }
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('rolling(n) of only sum/mean/count (their one-loop kernel) == naive over histories long enough to rebuild the sums, restored mid-stream or not', () => {
    const sumOps: RollOp[] = ['sum', 'mean', 'count'];
    fc.assert(
      fc.property(
        rowsArb(70),
        fc.integer({ min: 0, max: 2500 }),
        // or batches over the kernel's rebuild-check chunk (1024 rows), so a rebuild falls mid-batch
        fc.oneof({ arbitrary: splitArb, weight: 3 }, { arbitrary: fc.constant<number[]>([1100, 1400]), weight: 1 }),
        fc.integer({ min: 1, max: 12 }),
        fc.subarray(sumOps, { minLength: 1 }),
        fc.option(fc.integer({ min: 0, max: 4 })),
        fc.option(fc.nat()),
        (some, length, sizes, n, ops, mp, cut) => {
          // Repeated to up to 2500 rows: past the 4 windows + 1024 removals after which the sums are recomputed.
          const rows = Array.from({ length: Math.ceil(length / Math.max(1, some.length)) }, () => some).flat();
          const ing = new Ingestor({ ...schema });
          const make = () => new RollingState({ column: 'v', window: n, ops, minPeriods: mp ?? undefined });
          let r = make();
          const parts = split(rows, sizes);
          let i = 0;
          parts.forEach((part, b) => {
            if (cut !== null && b === cut % parts.length) {
              const restored = make();
              restored.restore(ipcRoundTrip(r.snapshot()));
              r = restored;
            }
            const out = r.update(ing.ingest(toColumnsObj(part)));
            for (let j = 0; j < part.length; j++, i++) {
              const win = rows.slice(Math.max(0, i - n + 1), i + 1).map((w) => w.v);
              for (const op of ops) {
                const got = out.get(ops.length === 1 ? 'v' : `v_${op}`, j) as number;
                const exp = naiveRolling(rows, i, { n }, op, mp ?? undefined);
                if (!close(got, exp, op, win)) throw new Error(`row ${i} ${op}: ${got} vs ${exp}`);
              }
            }
          });
          expect(i).toBe(rows.length);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("rolling(n) of sum/mean/count: the kernel's unchecked loop for all-finite chunks gives the bits of the row-by-row path", () => {
    // rolling(n) with `max` too runs row by row (updateRows); without it, `rollSums`, whose finite-chunk
    // loop skips the per-row checks. Histories stay under 4 windows + 1024 removals (no rebuild, whose
    // timing differs between the two), values are mostly finite, with now and then a missing value,
    // ±inf, -0 or a value huge enough to overflow the sum.
    const value = fc.oneof(
      { weight: 300, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308) },
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 1100, size: 'max' }),
        // batch lengths: some over the kernel's 1024-row chunk
        fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 300 }), weight: 4 }, { arbitrary: fc.integer({ min: 1000, max: 1100 }), weight: 1 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 42 })),
        (xs, sizes, n, mp) => {
          xs = xs.slice(0, 4 * n + 1024); // fewer removals than the rebuild's 4 windows + 1024
          const ops: RollOp[] = ['sum', 'mean', 'count'];
          const minPeriods = mp ?? undefined;
          const kernel = new RollingState({ column: 'v', window: n, ops, minPeriods });
          const rowwise = new RollingState({ column: 'v', window: n, ops: [...ops, 'max'], minPeriods });
          const ing = new Ingestor({ v: 'float64' });
          for (const part of split(xs, sizes)) {
            const frame = ing.ingest({ v: Float64Array.from(part) });
            const a = kernel.update(frame);
            const b = rowwise.update(frame);
            for (const op of ops) {
              const g = a.col(`v_${op}`).data as Float64Array;
              const e = b.col(`v_${op}`).data as Float64Array;
              for (let i = 0; i < g.length; i++) if (!Object.is(g[i], e[i])) throw new Error(`${op}[${i}]: ${g[i]} vs ${e[i]}`);
            }
          }
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('snapshot -> restore mid-stream continues bit for bit like the uninterrupted run', () => {
    fc.assert(
      fc.property(rowsArb(60), splitArb, kindArb, fc.nat(), (rows, sizes, kind, cut) => {
        const ops = opsFor(kind, ROLL_OPS);
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        const ing = new Ingestor({ ...schema });
        const a = makeRolling(kind, ops);
        const expected = parts.map((p) => a.update(ing.ingest(toColumnsObj(p))));
        const b1 = makeRolling(kind, ops);
        for (const p of parts.slice(0, c)) b1.update(ing.ingest(toColumnsObj(p)));
        const b2 = makeRolling(kind, ops);
        b2.restore(ipcRoundTrip(b1.snapshot()));
        for (let j = c; j < parts.length; j++) {
          const got = b2.update(ing.ingest(toColumnsObj(parts[j])));
          for (const op of ops) {
            const g = got.col(`v_${op}`).data as Float64Array;
            const e = expected[j].col(`v_${op}`).data as Float64Array;
            // the running sums are restored as they were, rounding residue included
            for (let i = 0; i < g.length; i++) if (!Object.is(g[i], e[i])) throw new Error(`${op} ${g[i]} vs ${e[i]}`);
          }
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it('matches pandas 1.5 output on a fixed series (rolling(3), rolling(3, min_periods=1), rolling("5s"), expanding())', () => {
    const f = fixture('rolling-pandas.json');
    const ing = new Ingestor({ v: 'float64', ts: 'timestamp' });
    const frame = ing.ingest({ v: nn(f.values), ts: f.ts });
    for (const op of ['sum', 'mean', 'min', 'max', 'var', 'std'] as RollOp[]) {
      const cases: [RollingState, string][] = [
        [new RollingState({ column: 'v', window: 3, ops: [op] }), `${op}_3`],
        [new RollingState({ column: 'v', window: 3, ops: [op], minPeriods: 1 }), `${op}_3_mp1`],
        [new RollingState({ column: 'v', window: '5s', on: 'ts', ops: [op] }), `${op}_5s`],
        [expanding({ column: 'v', ops: [op] }), `${op}_exp`],
      ];
      for (const [r, key] of cases) {
        // feed in two batches to exercise history
        const a = r.update(frame.slice(0, 4)).col('v').data as Float64Array;
        const b = r.update(frame.slice(4)).col('v').data as Float64Array;
        const got = [...a, ...b];
        const exp = nn(f.out[key]);
        got.forEach((g, i) => expect(close(g, exp[i], op, nn(f.values)), `${key}[${i}]: ${g} vs ${exp[i]}`).toBe(true));
      }
    }
  });

  it('long add/remove histories stay accurate (huge values leave the window)', () => {
    const ing = new Ingestor({ v: 'float64' });
    const r = new RollingState({ column: 'v', window: 50, ops: ['sum', 'var'] });
    const all: number[] = [];
    let out!: ReturnType<RollingState['update']>;
    let x = 1;
    for (let b = 0; b < 100; b++) {
      const v = new Float64Array(100);
      for (let i = 0; i < 100; i++) {
        x = (x * 16807) % 2147483647;
        v[i] = b < 50 && i % 3 === 0 ? x * 1e6 : (x % 1000) / 7;
      }
      all.push(...v);
      out = r.update(ing.ingest({ v }));
    }
    const last = all.slice(-50);
    const sum = last.reduce((a, c) => a + c, 0);
    const mean = sum / 50;
    const vr = last.reduce((a, c) => a + (c - mean) ** 2, 0) / 49;
    expect(Math.abs((out.get('v_sum', 99) as number) - sum) / sum).toBeLessThan(1e-12);
    expect(Math.abs((out.get('v_var', 99) as number) - vr) / vr).toBeLessThan(1e-9);
  });

  it('time rolling rejects null or decreasing timestamps; bad windows are rejected', () => {
    const ing = new Ingestor({ v: 'float64', ts: 'timestamp' });
    const r = new RollingState({ column: 'v', window: '5s', on: 'ts', ops: ['sum'] });
    r.update(ing.ingest({ v: [1], ts: [1000] }));
    expect(() => r.update(ing.ingest({ v: [1], ts: [500] }))).toThrow(/non-decreasing/);
    expect(() => new RollingState({ column: 'v', window: '5s', on: 'ts', ops: ['sum'] }).update(ing.ingest({ v: [1], ts: [null] }))).toThrow(/null timestamp/);
    expect(() => new RollingState({ column: 'v', window: 0, ops: ['sum'] })).toThrow(/positive integer/);
    expect(() => new RollingState({ column: 'v', window: '5s', ops: ['sum'] })).toThrow(/needs 'on'/);
  });
});

describe('ewm', () => {
  const f = fixture('ewm-pandas.json');
  it('matches pandas exactly for alpha/span/com/halflife x adjust x ignore_na, mean/var/std, min_periods', () => {
    const ing = new Ingestor({ v: 'float64' });
    const frame = ing.ingest({ v: nn(f.input) });
    for (const c of f.cases) {
      for (const cut of [0, 1, 3, 7, 10]) {
        const e = new EwmState({ column: 'v', ...(c.params as EwmParams), ops: ['mean', 'var', 'std'] });
        const a = e.update(frame.slice(0, cut));
        const b = e.update(frame.slice(cut));
        for (const op of ['mean', 'var', 'std']) {
          const got = [...(a.col(`v_${op}`).data as Float64Array), ...(b.col(`v_${op}`).data as Float64Array)];
          const exp = nn(c[op]);
          got.forEach((g, i) =>
            expect(Number.isNaN(exp[i]) ? Number.isNaN(g) : Math.abs(g - exp[i]) <= 1e-12 * Math.max(1, Math.abs(exp[i])), `${JSON.stringify(c.params)} ${op}[${i}] ${g} vs ${exp[i]}`).toBe(true),
          );
        }
        const mp = new EwmState({ column: 'v', ...(c.params as EwmParams), minPeriods: 3 }).update(frame).col('v').data as Float64Array;
        const exp = nn(c.mean_mp3);
        mp.forEach((g, i) => expect(Number.isNaN(exp[i]) ? Number.isNaN(g) : Math.abs(g - exp[i]) <= 1e-12 * Math.max(1, Math.abs(exp[i]))).toBe(true));
      }
    }
  });

  // alpha is kept <= 0.95: near 1 the bias correction (sw^2 - sw2) cancels catastrophically (in pandas too)
  it('adjust=True equals the explicit weighted-average definition on random data; batches and restore do not matter', () => {
    fc.assert(
      fc.property(rowsArb(50), splitArb, fc.double({ min: 0.01, max: 0.95, noNaN: true }), fc.boolean(), fc.nat(), (rows, sizes, alpha, ignoreNa, cut) => {
        const ing = new Ingestor({ ...schema });
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        let e = new EwmState({ column: 'v', alpha, ignoreNa, ops: ['mean', 'var'] });
        const got: { mean: number; var: number }[] = [];
        parts.forEach((p, j) => {
          if (j === c) {
            const fresh = new EwmState({ column: 'v', alpha, ignoreNa, ops: ['mean', 'var'] });
            fresh.restore(ipcRoundTrip(e.snapshot()));
            e = fresh;
          }
          const out = e.update(ing.ingest(toColumnsObj(p)));
          for (let i = 0; i < p.length; i++) got.push({ mean: out.get('v_mean', i) as number, var: out.get('v_var', i) as number });
        });
        // explicit definition: weights (1 - alpha)^(distance), distance in rows (ignoreNa=false) or in observations (ignoreNa=true)
        for (let t = 0; t < rows.length; t++) {
          let sw = 0;
          let sw2 = 0;
          let swx = 0;
          let obsAfter = 0;
          const items: [number, number][] = [];
          for (let j = t; j >= 0; j--) {
            const x = rows[j].v;
            if (Number.isNaN(x)) continue;
            const w = Math.pow(1 - alpha, ignoreNa ? obsAfter : t - j);
            obsAfter++;
            sw += w;
            sw2 += w * w;
            swx += w * x;
            items.push([w, x]);
          }
          const mean = sw === 0 ? NaN : swx / sw;
          let v = NaN;
          if (items.length >= 2) {
            const biased = items.reduce((s, [w, x]) => s + w * (x - mean) * (x - mean), 0) / sw;
            const den = sw * sw - sw2;
            v = den > 0 ? ((sw * sw) / den) * biased : NaN;
          }
          const mag = rows.slice(0, t + 1).reduce((s, r) => (Number.isNaN(r.v) ? s : Math.max(s, Math.abs(r.v))), 0);
          if (!(Number.isNaN(mean) ? Number.isNaN(got[t].mean) : Math.abs(got[t].mean - mean) <= 1e-9 * Math.max(1, mag))) throw new Error(`mean[${t}] ${got[t].mean} vs ${mean}`);
          // with a single observation sw^2 - sw2 is 0 up to rounding: pandas then gives NaN or 0 (e.g. [0, NaN, NaN, NaN]
          // with alpha 0.198 -> [nan, nan, nan, 0.0] in pandas 1.5), and so do we, as we run the same recurrence
          const single = items.length < 2 && (Number.isNaN(got[t].var) || got[t].var === 0);
          if (!single && !(Number.isNaN(v) ? Number.isNaN(got[t].var) : Math.abs(got[t].var - v) <= 1e-7 * Math.max(1, mag * mag))) throw new Error(`var[${t}] ${got[t].var} vs ${v}`);
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it('parameter validation', () => {
    expect(() => new EwmState({ column: 'v' })).toThrow(/exactly one/);
    expect(() => new EwmState({ column: 'v', alpha: 0.5, span: 3 })).toThrow(/exactly one/);
    expect(() => new EwmState({ column: 'v', alpha: 0 })).toThrow(/alpha/);
    expect(() => new EwmState({ column: 'v', span: 0.5 })).toThrow(/span/);
  });
});

describe('cumulative ops', () => {
  it('cumsum/cumprod/cummin/cummax: skipna, NaN stays at its row, batches and restore do not matter', () => {
    fc.assert(
      fc.property(rowsArb(50), splitArb, fc.constantFrom<CumOp>('cumsum', 'cumprod', 'cummin', 'cummax'), fc.nat(), (rows, sizes, op, cut) => {
        const ing = new Ingestor({ ...schema });
        const parts = split(rows, sizes);
        const c = cut % parts.length;
        let s = new CumulativeState('v', op);
        const got: number[] = [];
        parts.forEach((p, j) => {
          if (j === c) {
            const fresh = new CumulativeState('v', op);
            fresh.restore(ipcRoundTrip(s.snapshot()));
            s = fresh;
          }
          got.push(...(s.update(ing.ingest(toColumnsObj(p))).col('v').data as Float64Array));
        });
        let acc: number | undefined;
        rows.forEach((r, i) => {
          if (Number.isNaN(r.v)) return expect(got[i]).toBeNaN();
          if (acc === undefined) acc = op === 'cumsum' ? r.v : op === 'cumprod' ? r.v : r.v;
          else acc = op === 'cumsum' ? acc + r.v : op === 'cumprod' ? acc * r.v : op === 'cummin' ? Math.min(acc, r.v) : Math.max(acc, r.v);
          expect(got[i]).toBe(acc);
        });
      }),
      { numRuns: runs(150) },
    );
  });
});
