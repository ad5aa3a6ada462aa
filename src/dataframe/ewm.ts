/**
 * Exponentially weighted mean / var / std carried across batches, matching pandas
 * `s.ewm(alpha|span|com|halflife, adjust=True, ignore_na=False, min_periods=0)` exactly:
 * the same recurrences as pandas' `ewm` and `ewmcov` kernels (window/aggregations.pyx), so a
 * null row repeats the previous mean (the old weight still decays unless ignoreNa), and
 * var/std are bias-corrected (bias=False). min_periods is raised to at least 1, as pandas does.
 */
import * as arrow from 'apache-arrow';
import { Frame, type Column, numericColumn } from './frame.js';
import { readMeta, withMeta } from './grouped.js';

export interface EwmParams {
  alpha?: number;
  span?: number;
  com?: number;
  halflife?: number;
  adjust?: boolean;
  ignoreNa?: boolean;
  minPeriods?: number;
}
export type EwmOp = 'mean' | 'var' | 'std';

export function ewmAlpha(p: EwmParams): number {
  const given = (['alpha', 'span', 'com', 'halflife'] as const).filter((k) => p[k] !== undefined);
  if (given.length !== 1) throw new Error(`ewm: give exactly one of alpha, span, com, halflife (got ${given.join(', ') || 'none'})`);
  if (p.alpha !== undefined) {
    if (!(p.alpha > 0 && p.alpha <= 1)) throw new Error('ewm: alpha must satisfy 0 < alpha <= 1');
    return p.alpha;
  }
  if (p.span !== undefined) {
    if (!(p.span >= 1)) throw new Error('ewm: span must be >= 1');
    return 2 / (p.span + 1);
  }
  if (p.com !== undefined) {
    if (!(p.com >= 0)) throw new Error('ewm: com must be >= 0');
    return 1 / (1 + p.com);
  }
  if (!(p.halflife! > 0)) throw new Error('ewm: halflife must be > 0');
  return 1 - Math.exp(Math.log(0.5) / p.halflife!);
}

export interface EwmOptions extends EwmParams {
  column: string;
  ops?: EwmOp[];
  names?: Partial<Record<EwmOp, string>>;
}

export class EwmState {
  readonly column: string;
  readonly reads: readonly string[];
  readonly ops: EwmOp[];
  readonly alpha: number;
  readonly adjust: boolean;
  readonly ignoreNa: boolean;
  readonly minp: number;
  private readonly outNames: string[];
  // mean kernel
  private started = false;
  private weighted = NaN;
  private oldWt = 1;
  private nobs = 0;
  // cov kernel
  private meanX = NaN;
  private cov = 0;
  private sumWt = 1;
  private sumWt2 = 1;
  private oldWtV = 1;

  constructor(opts: EwmOptions) {
    this.column = opts.column;
    this.reads = [opts.column];
    this.ops = opts.ops ?? ['mean'];
    this.alpha = ewmAlpha(opts);
    this.adjust = opts.adjust ?? true;
    this.ignoreNa = opts.ignoreNa ?? false;
    this.minp = Math.max(opts.minPeriods ?? 0, 1);
    this.outNames = this.ops.map((op) => opts.names?.[op] ?? (this.ops.length === 1 ? this.column : `${this.column}_${op}`));
  }

  update(frame: Frame): Frame {
    const x = numericColumn(frame, this.column);
    const len = frame.length;
    const needMean = this.ops.includes('mean');
    const needVar = this.ops.includes('var') || this.ops.includes('std');
    const meanOut = new Float64Array(needMean ? len : 0);
    const varOut = new Float64Array(needVar ? len : 0);
    const oldWtFactor = 1 - this.alpha;
    const newWt = this.adjust ? 1 : this.alpha;
    for (let i = 0; i < len; i++) {
      const cur = x[i];
      const isObs = cur === cur;
      if (!this.started) {
        this.started = true;
        this.nobs = isObs ? 1 : 0;
        this.weighted = cur;
        this.oldWt = 1;
        this.meanX = isObs ? cur : NaN;
        this.cov = 0;
        this.sumWt = this.sumWt2 = this.oldWtV = 1;
        if (needMean) meanOut[i] = this.nobs >= this.minp ? this.weighted : NaN;
        if (needVar) varOut[i] = NaN; // bias=False: a single observation has no variance
        continue;
      }
      if (isObs) this.nobs++;
      // --- mean (pandas ewm)
      if (this.weighted === this.weighted) {
        if (isObs || !this.ignoreNa) {
          this.oldWt *= oldWtFactor;
          if (isObs) {
            if (this.weighted !== cur) {
              this.weighted = (this.oldWt * this.weighted + newWt * cur) / (this.oldWt + newWt);
            }
            if (this.adjust) this.oldWt += newWt;
            else this.oldWt = 1;
          }
        }
      } else if (isObs) this.weighted = cur;
      if (needMean) meanOut[i] = this.nobs >= this.minp ? this.weighted : NaN;
      // --- var (pandas ewmcov with x = y, bias=False)
      if (needVar) {
        if (this.meanX === this.meanX) {
          if (isObs || !this.ignoreNa) {
            this.sumWt *= oldWtFactor;
            this.sumWt2 *= oldWtFactor * oldWtFactor;
            this.oldWtV *= oldWtFactor;
            if (isObs) {
              const oldMean = this.meanX;
              if (this.meanX !== cur) this.meanX = (this.oldWtV * oldMean + newWt * cur) / (this.oldWtV + newWt);
              this.cov =
                (this.oldWtV * (this.cov + (oldMean - this.meanX) * (oldMean - this.meanX)) +
                  newWt * ((cur - this.meanX) * (cur - this.meanX))) /
                (this.oldWtV + newWt);
              this.sumWt += newWt;
              this.sumWt2 += newWt * newWt;
              this.oldWtV += newWt;
              if (!this.adjust) {
                this.sumWt /= this.oldWtV;
                this.sumWt2 /= this.oldWtV * this.oldWtV;
                this.oldWtV = 1;
              }
            }
          }
        } else if (isObs) this.meanX = cur;
        if (this.nobs >= this.minp) {
          const num = this.sumWt * this.sumWt;
          const den = num - this.sumWt2;
          varOut[i] = den > 0 ? (num / den) * this.cov : NaN;
        } else varOut[i] = NaN;
      }
    }
    const cols: Record<string, Column> = {};
    this.ops.forEach((op, k) => {
      const data = op === 'mean' ? meanOut : op === 'var' ? varOut : varOut.map(Math.sqrt);
      cols[this.outNames[k]] = { dtype: 'float64', data };
    });
    return new Frame(cols, len);
  }

  snapshot(): arrow.Table {
    const st = {
      started: this.started,
      weighted: nn(this.weighted),
      oldWt: this.oldWt,
      nobs: this.nobs,
      meanX: nn(this.meanX),
      cov: this.cov,
      sumWt: this.sumWt,
      sumWt2: this.sumWt2,
      oldWtV: this.oldWtV,
    };
    return withMeta(new arrow.Table({ state: arrow.vectorFromArray([JSON.stringify(st)], new arrow.Utf8()) }), { kind: 'ewm', version: 1 });
  }

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'ewm') throw new Error(`restore: expected an ewm state, got ${String(meta.kind)}`);
    const st = JSON.parse(table.getChild('state')!.get(0) as string) as Record<string, number | boolean | null>;
    this.started = st.started as boolean;
    this.weighted = (st.weighted as number | null) ?? NaN;
    this.oldWt = st.oldWt as number;
    this.nobs = st.nobs as number;
    this.meanX = (st.meanX as number | null) ?? NaN;
    this.cov = st.cov as number;
    this.sumWt = st.sumWt as number;
    this.sumWt2 = st.sumWt2 as number;
    this.oldWtV = st.oldWtV as number;
  }
}

const nn = (x: number): number | null => (x === x ? x : null);
