/**
 * GroupedAggregation: a Grouper plus one GroupAggregator per value column, and the output
 * layout. Shared by the cumulative groupby (groupby-state.ts) and windowed aggregations
 * (window-state.ts); a whole-frame aggregation is a groupby with no keys.
 *
 * Output columns: the key columns (original names, sorted by key like pandas sort=True,
 * null keys dropped unless dropna=false), then one column per spec named `spec.name`,
 * default `${column}_${op}` (pandas' agg MultiIndex (column, op) flattened with "_").
 * dtypes: count/size/nunique/sum/mean/var/std -> float64 (pandas gives int64 for counts;
 * float64 is exact to 2^53); min/max/first/last keep float64/timestamp, utf8 first/last stay
 * utf8, int32/bool inputs give float64 (so an empty group can be NaN).
 */
import * as arrow from 'apache-arrow';
import type { CodeHolder, Dictionary } from './dictionary.js';
import { Frame, type Column, type Schema, alignDicts, toFloat64 } from './frame.js';
import { NoColumnError } from './errors.js';
import { Dictionary as Dict } from './dictionary.js';
import { Grouper } from './grouper.js';
import { AGG_OPS, type AggOp, GroupAggregator, STAT_FIELDS, type StatField, isInvertible } from './aggregator.js';
import { toArrow } from './convert.js';
import { Ingestor } from './ingest.js';

export interface AggSpec {
  column: string;
  op: AggOp;
  /** output column name; default `${column}_${op}` */
  name?: string;
  /** var and std: delta degrees of freedom (pandas' default 1); left out of snapshots when default */
  ddof?: number;
}
/** A spec with its name filled in. */
export type NamedAggSpec = Required<Omit<AggSpec, 'ddof'>> & Pick<AggSpec, 'ddof'>;
export type AggInput = AggSpec[] | Record<string, AggOp | AggOp[]>;

export interface GroupedOptions {
  schema: Schema;
  dicts: Record<string, Dictionary>;
  by?: string | string[];
  aggs: AggInput;
  dropna?: boolean;
}

export function normalizeAggs(aggs: AggInput): NamedAggSpec[] {
  const list: AggSpec[] = Array.isArray(aggs)
    ? aggs
    : Object.entries(aggs).flatMap(([column, ops]) => (Array.isArray(ops) ? ops : [ops]).map((op) => ({ column, op })));
  return list.map((s) => {
    if (!AGG_OPS.includes(s.op)) throw new Error(`unknown aggregation "${s.op}" (known: ${AGG_OPS.join(', ')})`);
    const named: NamedAggSpec = { column: s.column, op: s.op, name: s.name ?? `${s.column}_${s.op}` };
    if (s.ddof !== undefined && s.ddof !== 1) named.ddof = s.ddof;
    return named;
  });
}

/** A state column that is not a result: the accumulator `field` of value column `column`. */
export const internal = (column: string, field: string) => `_internal.${column}.${field}`;

const UTF8_OK: ReadonlySet<AggOp> = new Set(['count', 'size', 'nunique', 'first', 'last']);

export class GroupedAggregation implements CodeHolder {
  readonly grouper: Grouper;
  readonly specs: NamedAggSpec[];
  readonly schema: Schema;
  readonly dicts: Record<string, Dictionary>;
  readonly keys: string[];
  readonly valueCols: string[];
  readonly aggs: Map<string, GroupAggregator>;
  readonly invertible: boolean;

  constructor(opts: GroupedOptions) {
    this.schema = opts.schema;
    this.dicts = opts.dicts;
    for (const [name, dt] of Object.entries(opts.schema)) if (dt === 'utf8' && !this.dicts[name]) this.dicts[name] = new Dict();
    this.keys = opts.by === undefined ? [] : Array.isArray(opts.by) ? opts.by : [opts.by];
    this.specs = normalizeAggs(opts.aggs);
    this.grouper = new Grouper(this.keys, opts.schema, opts.dicts, opts.dropna ?? true);
    const opsByCol = new Map<string, AggOp[]>();
    for (const s of this.specs) {
      const dt = opts.schema[s.column];
      if (!dt) throw new NoColumnError('aggregation', s.column, Object.keys(opts.schema));
      if (dt === 'utf8' && !UTF8_OK.has(s.op)) throw new Error(`aggregation "${s.op}" is not supported on utf8 column "${s.column}"`);
      const l = opsByCol.get(s.column) ?? [];
      l.push(s.op);
      opsByCol.set(s.column, l);
    }
    this.valueCols = [...opsByCol.keys()];
    this.aggs = new Map([...opsByCol].map(([c, ops]) => [c, new GroupAggregator(ops)]));
    this.invertible = this.specs.every((s) => isInvertible(s.op));
    for (const a of this.aggs.values()) a.ensure(this.grouper.nGroups);
    for (const c of this.codeColumns()) this.dicts[c].hold(this);
  }

  /** Its state is gone (a freed window, a result computed once): stop holding codes. */
  release(): void {
    this.grouper.release();
    for (const c of this.codeColumns()) this.dicts[c]?.release(this);
  }

  /** utf8 value columns whose statistics keep codes (first, last, nunique). */
  private codeColumns(): string[] {
    return this.valueCols.filter((c) => this.schema[c] === 'utf8' && this.aggs.get(c)!.keepsCodes);
  }

  markLive(dict: Dictionary, record: Record<string, Dictionary>, live: Uint8Array): boolean {
    const cols = this.codeColumns().filter((c) => this.dicts[c] === dict);
    if (record !== this.dicts) return cols.length === 0;
    for (const c of cols) this.aggs.get(c)!.mapCodes((code) => ((live[code] = 1), code));
    return true;
  }

  remap(from: Dictionary, _to: Dictionary, map: Int32Array): void {
    // The record is switched to `_to` by the compaction; this reads its dictionaries from there.
    for (const c of this.codeColumns()) if (this.dicts[c] === from) this.aggs.get(c)!.mapCodes((code) => map[code]);
  }

  /** The frame with its utf8 columns re-encoded into this aggregation's dictionaries if needed. */
  align(frame: Frame): Frame {
    return alignDicts(frame, this.dicts);
  }

  /** Group ids for a frame (new groups allocated). */
  assign(frame: Frame): Int32Array {
    const gids = this.grouper.assign(frame);
    const n = this.grouper.nGroups;
    for (const a of this.aggs.values()) a.ensure(n);
    return gids;
  }

  add(frame: Frame, gids: Int32Array, seq0: number, start = 0, end = frame.length): void {
    for (const [c, a] of this.aggs) a.add(toFloat64(frame.col(c)), gids, seq0, start, end);
  }

  remove(frame: Frame, gids: Int32Array, seq0: number, start = 0, end = frame.length): void {
    for (const [c, a] of this.aggs) a.remove(toFloat64(frame.col(c)), gids, seq0, start, end);
  }

  /** Our group ids for the groups `from` and after of another aggregation of the same keys (new ones allocated), by key. */
  groupsOf(other: GroupedAggregation, from = 0): Int32Array {
    const n = other.grouper.nGroups - from;
    if (this.keys.length === 0) return new Int32Array(n);
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = from + i;
    return this.assign(new Frame(other.grouper.keyColumns(ids), n));
  }

  /** Fold another aggregation of the same options into this one: its group g into our group `into[g]`. */
  mergeFrom(other: GroupedAggregation, into: Int32Array): void {
    for (const [c, a] of this.aggs) a.merge(other.aggs.get(c)!, into);
  }

  /** Forget the statistics, keep the groups (a scratch aggregation reused). */
  clearStats(): void {
    for (const a of this.aggs.values()) a.clear();
  }

  /** A sum lost an infinity to a removal and must be rebuilt from the rows. */
  get stale(): boolean {
    for (const a of this.aggs.values()) if (a.stale) return true;
    return false;
  }

  /** Groups with stale min/max/first/last after removals. */
  dirtyGroups(): Set<number> {
    const s = new Set<number>();
    for (const a of this.aggs.values()) for (const g of a.dirty) s.add(g);
    return s;
  }

  /** Recompute the non-invertible stats of dirty groups from the given live row spans. */
  recompute(spans: Iterable<{ frame: Frame; gids: Int32Array; seq0: number; start: number; end: number }>): void {
    const dirty = this.dirtyGroups();
    if (dirty.size === 0) return;
    const flags = new Uint8Array(this.grouper.nGroups);
    for (const g of dirty) flags[g] = 1;
    for (const a of this.aggs.values()) a.resetGroups(dirty);
    for (const sp of spans) {
      for (const [c, a] of this.aggs) if (!a.invertible) a.add(toFloat64(sp.frame.col(c)), sp.gids, sp.seq0, sp.start, sp.end, flags);
    }
    for (const a of this.aggs.values()) a.dirty.clear();
  }

  /** Recompute every stat from the live rows (bounds the rounding drift of long add/remove histories). */
  rebuild(spans: Iterable<{ frame: Frame; gids: Int32Array; seq0: number; start: number; end: number }>): void {
    for (const a of this.aggs.values()) a.clear();
    for (const sp of spans) this.add(sp.frame, sp.gids, sp.seq0, sp.start, sp.end);
  }

  /** Result frame: one row per group (with size > 0 when `nonEmptyOnly`), sorted by key. */
  result(nonEmptyOnly: boolean): Frame {
    let order = this.grouper.sortedOrder();
    if (nonEmptyOnly && this.keys.length > 0) {
      const size = this.aggs.size > 0 ? [...this.aggs.values()][0].size : undefined;
      if (size) {
        let k = 0;
        for (let i = 0; i < order.length; i++) if (size[order[i]] > 0) k++;
        if (k < order.length) {
          const o = new Int32Array(k);
          k = 0;
          for (let i = 0; i < order.length; i++) if (size[order[i]] > 0) o[k++] = order[i];
          order = o;
        }
      }
    }
    return new Frame({ ...this.grouper.keyColumns(order), ...this.resultColumns(order) }, order.length);
  }

  /** One column per spec (`spec.name`), for the groups in `order`. */
  private resultColumns(order: Int32Array): Record<string, Column> {
    const cols: Record<string, Column> = {};
    for (const s of this.specs) {
      const a = this.aggs.get(s.column)!;
      const vals = a.result(s.op, order, s.ddof);
      const dt = this.schema[s.column];
      if ((s.op === 'first' || s.op === 'last') && dt === 'utf8') {
        cols[s.name] = { dtype: 'utf8', data: Int32Array.from(vals, (v) => (v === v ? v : -1)), dict: this.dicts[s.column] };
      } else if ((s.op === 'min' || s.op === 'max' || s.op === 'first' || s.op === 'last') && dt === 'timestamp') {
        cols[s.name] = { dtype: 'timestamp', data: vals };
      } else cols[s.name] = { dtype: 'float64', data: vals };
    }
    return cols;
  }

  // ------------------------------------------------------------ snapshots

  /** Stats table: key columns, then `${col}.${stat}` columns (utf8 values decoded), nunique as JSON. */
  /**
   * The state as data: the key columns and the result columns under their output names (what the
   * job emits: DuckDB reads `x_mean` right), then the accumulators it restores from, named
   * `_internal.<column>.<field>`. One row per group, in group-id order.
   */
  snapshotStats(meta: Record<string, unknown>): arrow.Table {
    const n = this.grouper.nGroups;
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    const cols: Record<string, Column> = { ...this.grouper.keyColumns(ids), ...this.resultColumns(ids) };
    const extra: Record<string, arrow.Vector> = {};
    for (const [c, a] of this.aggs) {
      const st = a.stats();
      const isUtf8 = this.schema[c] === 'utf8';
      const dict = this.dicts[c];
      for (const f of STAT_FIELDS) {
        if (isUtf8 && (f === 'first' || f === 'last')) {
          cols[internal(c, f)] = { dtype: 'utf8', data: Int32Array.from(st[f], (v) => (v === v ? v : -1)), dict };
        } else cols[internal(c, f)] = { dtype: 'float64', data: st[f] };
      }
      if (a.needUniq) {
        const arr = a.uniq.slice(0, n).map((m) =>
          JSON.stringify([...m].map(([v, k]) => [isUtf8 ? dict.decode(v) : Number.isNaN(v) ? null : v, k])),
        );
        extra[internal(c, 'uniq')] = arrow.vectorFromArray(arr, new arrow.Utf8());
      }
    }
    const base = toArrow(new Frame(cols, n));
    const vecs: Record<string, arrow.Vector> = {};
    for (const f of base.schema.fields) vecs[f.name] = base.getChild(f.name)!;
    Object.assign(vecs, extra);
    const t = new arrow.Table(vecs);
    return withMeta(t, meta);
  }

  restoreStats(table: arrow.Table): void {
    if (this.grouper.nGroups > (this.keys.length === 0 ? 1 : 0)) throw new Error('restore: state is not fresh');
    const n = table.numRows;
    if (this.keys.length > 0) {
      const keySchema: Schema = {};
      for (const k of this.keys) keySchema[k] = this.schema[k];
      const ing = new Ingestor(keySchema, { dicts: this.dicts, extra: 'drop' });
      const keyFrame = ing.fromArrow(table);
      const gids = this.assign(keyFrame);
      for (let i = 0; i < n; i++) if (gids[i] !== i) throw new Error('restore: duplicate or null group keys in state');
    }
    for (const [c, a] of this.aggs) {
      a.ensure(Math.max(n, this.grouper.nGroups));
      const isUtf8 = this.schema[c] === 'utf8';
      const dict = this.dicts[c];
      const get = (f: StatField): ArrayLike<unknown> => {
        const v = table.getChild(internal(c, f));
        if (!v) throw new Error(`restore: missing column ${internal(c, f)}`);
        return v.toArray() as ArrayLike<unknown>;
      };
      const arrays = Object.fromEntries(STAT_FIELDS.map((f) => [f, isUtf8 && (f === 'first' || f === 'last') ? null : get(f)]));
      const strVec = (f: string) => table.getChild(internal(c, f))!;
      const uniqVec = a.needUniq ? table.getChild(internal(c, 'uniq')) : null;
      for (let g = 0; g < n; g++) {
        const s = {} as Record<StatField, number>;
        for (const f of STAT_FIELDS) {
          const arr = arrays[f];
          if (arr) s[f] = arr[g] as number;
          else {
            const str = strVec(f).get(g) as string | null;
            s[f] = str === null ? NaN : dict.encode(str);
          }
        }
        let uniq: [number, number][] | undefined;
        if (uniqVec) {
          const pairs = JSON.parse(uniqVec.get(g) as string) as [string | number | null, number][];
          uniq = pairs.map(([v, k]) => [isUtf8 ? dict.encode(v as string) : v === null ? NaN : (v as number), k]);
        }
        a.setStats(g, s, uniq);
      }
    }
  }
}

export const META_KEY = 'streamframe';

export function withMeta(t: arrow.Table, meta: Record<string, unknown>): arrow.Table {
  const schema = new arrow.Schema(t.schema.fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  return new arrow.Table(schema, t.batches);
}

export function readMeta(t: arrow.Table): Record<string, unknown> {
  const s = t.schema.metadata.get(META_KEY);
  if (!s) throw new Error(`restore: table has no "${META_KEY}" metadata`);
  return JSON.parse(s) as Record<string, unknown>;
}
