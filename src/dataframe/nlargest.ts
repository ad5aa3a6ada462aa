/**
 * nlargest(n) per group (pandas `df.groupby(k).v.nlargest(n)`, or `s.nlargest(n)` without keys):
 * the n largest non-null values of each group, long format — key columns, then the value column
 * (named `name`, default the column name), groups sorted by key, values descending; ties keep
 * the earlier row first (pandas keep='first').
 * NLargestState is cumulative (a sorted top-n buffer per group); for windows, call
 * nlargestOf(window.frame(), ...) on the window content (top-n is not invertible).
 */
import * as arrow from 'apache-arrow';
import type { Dictionary } from './dictionary.js';
import { Frame, type Column, type Schema, alignDicts, numericColumn } from './frame.js';
import { Grouper } from './grouper.js';
import { Ingestor } from './ingest.js';
import { toArrow } from './convert.js';
import { readMeta, withMeta } from './grouped.js';

export interface NLargestOptions {
  schema: Schema;
  dicts: Record<string, Dictionary>;
  by?: string | string[];
  column: string;
  n: number;
  name?: string;
}

export class NLargestState {
  private readonly grouper: Grouper;
  private readonly keys: string[];
  private top: Float64Array[] = []; // per group, descending, length <= n
  private readonly name: string;

  constructor(readonly opts: NLargestOptions) {
    if (!(Number.isInteger(opts.n) && opts.n >= 0)) throw new Error(`nlargest: n must be a non-negative integer, got ${opts.n}`);
    if (opts.schema[opts.column] === 'utf8') throw new Error(`nlargest: column "${opts.column}" is utf8`);
    this.keys = opts.by === undefined ? [] : Array.isArray(opts.by) ? opts.by : [opts.by];
    this.grouper = new Grouper(this.keys, opts.schema, opts.dicts, true);
    this.name = opts.name ?? opts.column;
  }

  update(batch: Frame): void {
    const frame = alignDicts(batch, this.opts.dicts);
    const gids = this.grouper.assign(frame);
    while (this.top.length < this.grouper.nGroups) this.top.push(new Float64Array(0));
    const x = numericColumn(frame, this.opts.column);
    const n = this.opts.n;
    for (let i = 0; i < x.length; i++) {
      const g = gids[i];
      const v = x[i];
      if (g < 0 || v !== v || n === 0) continue;
      let t = this.top[g];
      if (t.length === n && !(v > t[n - 1])) continue; // ties keep the earlier row
      if (t.length < n) {
        const u = new Float64Array(t.length + 1);
        u.set(t);
        t = this.top[g] = u;
        t[t.length - 1] = -Infinity;
      }
      // insert v after equal values (stable), dropping the last
      let j = t.length - 1;
      while (j > 0 && t[j - 1] < v) {
        t[j] = t[j - 1];
        j--;
      }
      t[j] = v;
    }
  }

  result(): Frame {
    const order = this.grouper.sortedOrder();
    const rowsG: number[] = [];
    const vals: number[] = [];
    for (const g of order) {
      const t = this.top[g] ?? new Float64Array(0);
      for (let j = 0; j < t.length; j++) {
        rowsG.push(g);
        vals.push(t[j]);
      }
    }
    const cols: Record<string, Column> = this.grouper.keyColumns(Int32Array.from(rowsG));
    const dt = this.opts.schema[this.opts.column];
    cols[this.name] = { dtype: dt === 'timestamp' ? 'timestamp' : 'float64', data: Float64Array.from(vals) };
    return new Frame(cols, vals.length);
  }

  snapshot(): arrow.Table {
    const n = this.grouper.nGroups;
    const cols: Record<string, Column> = this.grouper.keyColumns(Int32Array.from({ length: n }, (_, i) => i));
    const t = toArrow(new Frame(cols, n));
    const vecs: Record<string, arrow.Vector> = {};
    for (const f of t.schema.fields) vecs[f.name] = t.getChild(f.name)!;
    vecs['.top'] = arrow.vectorFromArray(this.top.slice(0, n).map((a) => JSON.stringify(Array.from(a))), new arrow.Utf8());
    return withMeta(new arrow.Table(vecs), { kind: 'nlargest', version: 1, n: this.opts.n });
  }

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'nlargest') throw new Error('restore: expected an nlargest state');
    if (this.keys.length > 0) {
      const ks: Schema = {};
      for (const k of this.keys) ks[k] = this.opts.schema[k];
      this.grouper.assign(new Ingestor(ks, { dicts: this.opts.dicts, extra: 'drop' }).fromArrow(table));
    }
    const top = table.getChild('.top')!;
    this.top = Array.from({ length: table.numRows }, (_, i) => Float64Array.from(JSON.parse(top.get(i) as string) as number[]));
  }

  /** Its keys are gone (a one-shot result): stop holding their dictionary codes. */
  release(): void {
    this.grouper.release();
  }
}

/** One-shot nlargest over a frame (e.g. a window's content). */
export function nlargestOf(frame: Frame, opts: Omit<NLargestOptions, 'schema' | 'dicts'> & { dicts?: Record<string, Dictionary> }): Frame {
  const dicts: Record<string, Dictionary> = { ...(opts.dicts ?? {}) };
  for (const name of frame.names) {
    const c = frame.col(name);
    if (c.dtype === 'utf8' && !dicts[name]) dicts[name] = c.dict;
  }
  const s = new NLargestState({ ...opts, schema: { ...frame.schema }, dicts });
  s.update(frame);
  const r = s.result();
  s.release();
  return r;
}
