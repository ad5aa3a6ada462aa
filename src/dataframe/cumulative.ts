/**
 * cumsum / cumprod / cummin / cummax across batches with pandas skipna semantics: a null row
 * outputs NaN and is skipped, later rows continue from the last non-null accumulation.
 */
import * as arrow from 'apache-arrow';
import { Frame, type Column, numericColumn } from './frame.js';
import { readMeta, withMeta } from './grouped.js';

export type CumOp = 'cumsum' | 'cumprod' | 'cummin' | 'cummax';

export class CumulativeState {
  private acc: number;
  private seen = false;
  readonly name: string;
  readonly reads: readonly string[];

  constructor(
    readonly column: string,
    readonly op: CumOp,
    name?: string,
  ) {
    if (!['cumsum', 'cumprod', 'cummin', 'cummax'].includes(op)) throw new Error(`unknown cumulative op "${op}"`);
    this.acc = op === 'cumprod' ? 1 : 0;
    this.name = name ?? column;
    this.reads = [column];
  }

  update(frame: Frame): Frame {
    const x = numericColumn(frame, this.column);
    const out = new Float64Array(x.length);
    let acc = this.acc;
    let seen = this.seen;
    const op = this.op;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) {
        out[i] = NaN;
        continue;
      }
      if (!seen) acc = v; // like numpy, the first value starts the accumulation (keeps -0)
      else if (op === 'cumsum') acc += v;
      else if (op === 'cumprod') acc *= v;
      else if (op === 'cummin') acc = v < acc ? v : acc;
      else acc = v > acc ? v : acc;
      seen = true;
      out[i] = acc;
    }
    this.acc = acc;
    this.seen = seen;
    const cols: Record<string, Column> = { [this.name]: { dtype: 'float64', data: out } };
    return new Frame(cols, x.length);
  }

  snapshot(): arrow.Table {
    return withMeta(new arrow.Table({ acc: arrow.makeVector(Float64Array.of(this.acc)) }), {
      kind: 'cumulative',
      version: 1,
      op: this.op,
      seen: this.seen,
    });
  }

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'cumulative' || meta.op !== this.op) throw new Error(`restore: expected a ${this.op} state`);
    this.acc = table.getChild('acc')!.get(0) as number;
    this.seen = meta.seen as boolean;
  }
}
