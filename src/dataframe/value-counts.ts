/**
 * Value counts (pandas `s.value_counts()`): result() is a frame with the column's values and
 * `count`, by count descending, ties in order of first appearance; nulls are not counted
 * (dropna=True); values whose count dropped to 0 (after remove) are omitted.
 * remove(frame) lets a window subtract evicted rows.
 */
import * as arrow from 'apache-arrow';
import { Dictionary } from './dictionary.js';
import { Frame, type Schema, alignDicts } from './frame.js';
import { NoColumnError } from './errors.js';
import { Grouper } from './grouper.js';
import { Ingestor } from './ingest.js';
import { toArrow } from './convert.js';
import { internal, readMeta, withMeta } from './grouped.js';

export class ValueCountsState {
  private readonly grouper: Grouper;
  private counts = new Float64Array(16);
  private firstSeq = new Float64Array(16);
  private seq = 0;

  constructor(
    readonly column: string,
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
  ) {
    if (!schema[column]) throw new NoColumnError('valueCounts', column, Object.keys(schema));
    if (schema[column] === 'utf8' && !dicts[column]) dicts[column] = new Dictionary();
    this.grouper = new Grouper([column], schema, dicts, true);
  }

  private ensure(): void {
    const n = this.grouper.nGroups;
    if (n <= this.counts.length) return;
    let cap = this.counts.length * 2;
    while (cap < n) cap *= 2;
    const c = new Float64Array(cap);
    c.set(this.counts);
    const f = new Float64Array(cap);
    f.set(this.firstSeq);
    this.counts = c;
    this.firstSeq = f;
  }

  update(batch: Frame): void {
    const frame = alignDicts(batch, this.dicts);
    const before = this.grouper.nGroups;
    const gids = this.grouper.assign(frame);
    this.ensure();
    for (let i = 0; i < gids.length; i++) {
      const g = gids[i];
      if (g < 0) continue;
      if (g >= before && this.counts[g] === 0 && this.firstSeq[g] === 0) this.firstSeq[g] = this.seq + i + 1;
      this.counts[g]++;
    }
    this.seq += frame.length;
  }

  remove(batch: Frame): void {
    const gids = this.grouper.assign(alignDicts(batch, this.dicts));
    this.ensure();
    for (let i = 0; i < gids.length; i++) if (gids[i] >= 0) this.counts[gids[i]]--;
  }

  result(): Frame {
    const n = this.grouper.nGroups;
    const idx: number[] = [];
    for (let g = 0; g < n; g++) if (this.counts[g] > 0) idx.push(g);
    idx.sort((a, b) => this.counts[b] - this.counts[a] || this.firstSeq[a] - this.firstSeq[b]);
    const gids = Int32Array.from(idx);
    const cols = this.grouper.keyColumns(gids);
    cols.count = { dtype: 'float64', data: Float64Array.from(idx, (g) => this.counts[g]) };
    return new Frame(cols, gids.length);
  }

  snapshot(): arrow.Table {
    const n = this.grouper.nGroups;
    const gids = Int32Array.from({ length: n }, (_, i) => i);
    const cols = this.grouper.keyColumns(gids);
    cols.count = { dtype: 'float64', data: this.counts.slice(0, n) }; // as the result names it
    cols[internal(this.column, 'firstSeq')] = { dtype: 'float64', data: this.firstSeq.slice(0, n) };
    return withMeta(toArrow(new Frame(cols, n)), { kind: 'valueCounts', version: 1, seq: this.seq });
  }

  restore(table: arrow.Table): void {
    const meta = readMeta(table);
    if (meta.kind !== 'valueCounts') throw new Error('restore: expected a valueCounts state');
    if (this.grouper.nGroups !== 0) throw new Error('restore: state is not fresh');
    const keys = new Ingestor({ [this.column]: this.schema[this.column] }, { dicts: this.dicts, extra: 'drop' }).fromArrow(table);
    this.grouper.assign(keys);
    this.ensure();
    this.counts.set(table.getChild('count')!.toArray() as Float64Array);
    this.firstSeq.set(table.getChild(internal(this.column, 'firstSeq'))!.toArray() as Float64Array);
    this.seq = meta.seq as number;
  }
}
