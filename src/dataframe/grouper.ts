/**
 * Grouper: maps rows to dense group ids (0..nGroups-1) by one or several key columns
 * (utf8, int32, bool; timestamp/float64 keys also work through their numeric value).
 * Fast path for one utf8 key: group id = codeToGid[code] through an Int32Array.
 * Several keys: each key becomes a small "slot" integer, then slots are combined level by
 * level through Map<number, number> (prev * 2^26 + slot), so no strings are built per row.
 * Rows with a null key get id -1 (dropped) unless dropna is false (pandas groupby(dropna=True)).
 * With no keys every row is group 0 and the single group always exists.
 */
import type { CodeHolder, Dictionary } from './dictionary.js';
import { NumberTable } from './number-table.js';
import { int32s } from './slab.js';
import { type Column, type DType, type Schema, type Frame, makeColumn } from './frame.js';
import { NoColumnError } from './errors.js';

const SLOT_BITS = 67108864; // 2^26

class KeyStore {
  // per-group representative key values
  codes: Int32Array | Float64Array;
  valid: Uint8Array;
  slotMap?: Map<number, number>; // numeric key -> slot (int32/float64/timestamp)
  constructor(
    readonly dtype: DType,
    /** utf8: the dictionary of `codes` (replaced when it is compacted). */
    public dict?: Dictionary,
  ) {
    this.codes = dtype === 'utf8' || dtype === 'int32' || dtype === 'bool' ? new Int32Array(16) : new Float64Array(16);
    this.valid = new Uint8Array(16);
    if (dtype !== 'utf8' && dtype !== 'bool') this.slotMap = new Map();
  }
  grow(n: number): void {
    if (n <= this.codes.length) return;
    let cap = this.codes.length * 2;
    while (cap < n) cap *= 2;
    const c = new (this.codes.constructor as { new (n: number): Int32Array | Float64Array })(cap);
    c.set(this.codes);
    this.codes = c;
    const v = new Uint8Array(cap);
    v.set(this.valid);
    this.valid = v;
  }
}

export class Grouper implements CodeHolder {
  readonly keys: readonly string[];
  readonly dropna: boolean;
  private stores: KeyStore[];
  private n: number;
  private codeToGid = new Int32Array(0);
  private levelMaps: Map<number, number>[] = [];
  /** Group ids 0..sorted.length-1 in key order (ids are dense and only grow, so new ones are merged in). */
  private sorted = new Int32Array(0);
  private readonly fast: boolean;
  /** One numeric key: its value maps to the group id in one lookup (no slot stage). */
  private readonly numeric: boolean;
  private nullGid = -1;

  constructor(
    keys: readonly string[],
    schema: Schema,
    /** The record of dictionaries its frames are aligned to: a compaction of another cannot be followed. */
    private readonly dicts: Record<string, Dictionary>,
    dropna = true,
  ) {
    this.keys = keys;
    this.dropna = dropna;
    this.stores = keys.map((k) => {
      const dt = schema[k];
      if (!dt) throw new NoColumnError('groupby', k, Object.keys(schema));
      return new KeyStore(dt, dt === 'utf8' ? dicts[k] : undefined);
    });
    this.fast = keys.length === 1 && schema[keys[0]] === 'utf8' && dropna;
    this.numeric = keys.length === 1 && schema[keys[0]] !== 'utf8' && schema[keys[0]] !== 'bool';
    this.n = keys.length === 0 ? 1 : 0;
    for (let i = 1; i < keys.length; i++) this.levelMaps.push(new Map());
    for (const s of this.stores) s.dict?.hold(this);
  }

  /** Its keys are gone (a transient grouper, a freed window): stop holding their codes. */
  release(): void {
    for (const s of this.stores) s.dict?.release(this);
  }

  markLive(dict: Dictionary, record: Record<string, Dictionary>, live: Uint8Array): boolean {
    if (record !== this.dicts) return !this.stores.some((s) => s.dict === dict);
    for (const s of this.stores) {
      if (s.dict !== dict) continue;
      for (let g = 0; g < this.n; g++) if (s.codes[g] >= 0) live[s.codes[g]] = 1;
    }
    return true;
  }

  /** A compaction: the utf8 keys' codes rewritten, and the lookups built on codes built again. */
  remap(from: Dictionary, to: Dictionary, map: Int32Array): void {
    for (const s of this.stores) {
      if (s.dict !== from) continue;
      for (let g = 0; g < this.n; g++) if (s.codes[g] >= 0) s.codes[g] = map[s.codes[g]];
      s.dict = to;
    }
    if (this.fast) {
      const codes = this.stores[0].codes;
      this.codeToGid = new Int32Array(Math.max(16, to.size)).fill(-1);
      for (let g = 0; g < this.n; g++) this.codeToGid[codes[g]] = g;
    } else if (!this.numeric) this.rebuildSlots();
  }

  /** The level maps from every group's stored keys (their utf8 slots are codes + 1). */
  private rebuildSlots(): void {
    for (const m of this.levelMaps) m.clear();
    this.finalMap.clear();
    const slotOf = (s: KeyStore, g: number): number => {
      if (s.dtype === 'utf8') return s.codes[g] + 1;
      if (!s.valid[g]) return 0;
      return s.dtype === 'bool' ? s.codes[g] + 1 : s.slotMap!.get(s.codes[g])!;
    };
    for (let gid = 0; gid < this.n; gid++) {
      let g = slotOf(this.stores[0], gid);
      for (let j = 1; j < this.stores.length; j++) {
        const key = g * SLOT_BITS + slotOf(this.stores[j], gid);
        const m = this.levelMaps[j - 1];
        let next = m.get(key);
        if (next === undefined) m.set(key, (next = m.size));
        g = next;
      }
      this.finalMap.set(g, gid);
    }
  }

  get nGroups(): number {
    return this.n;
  }

  /** Expect about `n` groups in all (one numeric key: sizes its value table once, not by doubling). */
  reserve(n: number): void {
    if (this.numeric) this.byValue.reserve(n);
  }

  /** Group id of each row (-1 = dropped: null key). New keys get new ids. */
  assign(frame: Frame): Int32Array {
    const len = frame.length;
    const gids = int32s(len);
    if (this.keys.length === 0) return gids;
    if (this.fast) {
      const codes = frame.col(this.keys[0]).data as Int32Array;
      const store = this.stores[0];
      let map = this.codeToGid;
      const dsize = store.dict!.size;
      if (map.length < dsize) {
        const m = new Int32Array(Math.max(dsize, map.length * 2, 16)).fill(-1);
        m.set(map);
        map = this.codeToGid = m;
      }
      for (let i = 0; i < len; i++) {
        const c = codes[i];
        if (c < 0) {
          gids[i] = -1;
          continue;
        }
        let g = map[c];
        if (g < 0) {
          g = map[c] = this.n++;
          store.grow(this.n);
          store.codes[g] = c;
          store.valid[g] = 1;
        }
        gids[i] = g;
      }
      return gids;
    }
    if (this.numeric) return this.assignNumeric(frame.col(this.keys[0]), gids);
    const slots = this.keys.map((k, j) => this.slotsOf(frame.col(k), this.stores[j]));
    for (let i = 0; i < len; i++) {
      let g = slots[0][i];
      let isNull = g === 0;
      for (let j = 1; j < slots.length; j++) {
        const s = slots[j][i];
        if (s === 0) isNull = true;
        const key = g * SLOT_BITS + s;
        const m = this.levelMaps[j - 1];
        let next = m.get(key);
        if (next === undefined) {
          next = m.size;
          m.set(key, next);
        }
        g = next;
      }
      if (isNull && this.dropna) {
        gids[i] = -1;
        continue;
      }
      // g is a level-final id; translate to a dense group id
      let gid = this.finalMap.get(g);
      if (gid === undefined) {
        gid = this.n++;
        this.finalMap.set(g, gid);
        for (let j = 0; j < this.keys.length; j++) this.storeKey(this.stores[j], frame.col(this.keys[j]), i, gid);
      }
      gids[i] = gid;
    }
    return gids;
  }

  private finalMap = new Map<number, number>();

  private readonly byValue = new NumberTable();

  private assignNumeric(col: Column, gids: Int32Array): Int32Array {
    const table = this.byValue;
    const d = col.data;
    const v = col.dtype === 'int32' ? col.validity : undefined;
    for (let i = 0; i < d.length; i++) {
      const x = d[i];
      if ((v !== undefined && v[i] === 0) || x !== x) {
        if (this.dropna) gids[i] = -1;
        else {
          if (this.nullGid < 0) this.storeKey(this.stores[0], col, i, (this.nullGid = this.n++));
          gids[i] = this.nullGid;
        }
        continue;
      }
      let g = table.get(x);
      if (g < 0) {
        table.add(x, (g = this.n++));
        this.storeKey(this.stores[0], col, i, g);
      }
      gids[i] = g;
    }
    return gids;
  }

  private slotsOf(col: Column, store: KeyStore): Float64Array | Int32Array {
    const n = col.data.length;
    const out = new Int32Array(n);
    if (col.dtype === 'utf8') {
      const d = col.data;
      for (let i = 0; i < n; i++) out[i] = d[i] + 1;
      return out;
    }
    if (col.dtype === 'bool') {
      const d = col.data;
      const v = col.validity;
      for (let i = 0; i < n; i++) out[i] = v && v[i] === 0 ? 0 : d[i] + 1;
      return out;
    }
    const map = store.slotMap!;
    const v = col.dtype === 'int32' ? col.validity : undefined;
    const d = col.data;
    for (let i = 0; i < n; i++) {
      const x = d[i];
      if ((v && v[i] === 0) || x !== x) {
        out[i] = 0;
        continue;
      }
      let s = map.get(x);
      if (s === undefined) {
        s = map.size + 1;
        map.set(x, s);
      }
      out[i] = s;
    }
    return out;
  }

  private storeKey(store: KeyStore, col: Column, row: number, gid: number): void {
    store.grow(gid + 1);
    const isNull =
      col.dtype === 'utf8'
        ? col.data[row] < 0
        : col.dtype === 'int32' || col.dtype === 'bool'
          ? !!col.validity && col.validity[row] === 0
          : col.data[row] !== col.data[row];
    store.codes[gid] = isNull ? (col.dtype === 'utf8' ? -1 : 0) : col.data[row];
    store.valid[gid] = isNull ? 0 : 1;
  }

  /**
   * Group ids ordered by key (pandas sort=True; strings by code unit order; null keys last). The
   * order is kept: ids that are new since the last call are sorted alone and merged in, so a new
   * key costs its share of a sort plus a linear merge, not a sort of every key.
   */
  sortedOrder(): Int32Array {
    const old = this.sorted;
    if (old.length === this.n) return old;
    if (this.numeric) return (this.sorted = this.mergeNumeric(old));
    const cmp = this.compare();
    const fresh = Array.from({ length: this.n - old.length }, (_, i) => old.length + i);
    if (cmp !== undefined) fresh.sort(cmp);
    const out = new Int32Array(this.n);
    let a = 0;
    let b = 0;
    for (let o = 0; o < out.length; o++) {
      out[o] = b >= fresh.length || (a < old.length && (cmp === undefined || cmp(old[a], fresh[b]) <= 0)) ? old[a++] : fresh[b++];
    }
    this.sorted = out;
    return out;
  }

  /**
   * One numeric key: the new ids' values sorted as a typed array (no comparator calls) and merged
   * with the kept order by value, each mapped back to its id; the null group last.
   */
  private mergeNumeric(old: Int32Array): Int32Array {
    const codes = this.stores[0].codes;
    const values = new Float64Array(this.n - old.length);
    let k = 0;
    for (let g = old.length; g < this.n; g++) if (g !== this.nullGid) values[k++] = codes[g];
    values.subarray(0, k).sort();
    const out = new Int32Array(this.n);
    const nullLast = this.nullGid >= 0;
    const oldEnd = nullLast && this.nullGid < old.length ? old.length - 1 : old.length;
    let a = 0;
    let b = 0;
    let o = 0;
    while (a < oldEnd && b < k) out[o++] = codes[old[a]] <= values[b] ? old[a++] : this.byValue.get(values[b++]);
    while (a < oldEnd) out[o++] = old[a++];
    while (b < k) out[o++] = this.byValue.get(values[b++]);
    if (nullLast) out[o] = this.nullGid;
    return out;
  }

  /** Key order of two group ids, column by column; undefined without keys. */
  private compare(): ((a: number, b: number) => number) | undefined {
    if (this.keys.length === 0) return undefined;
    const cmps = this.stores.map((s) => {
      if (s.dtype === 'utf8') {
        const dict = s.dict!;
        return (a: number, b: number) => {
          const x = dict.decode(s.codes[a]);
          const y = dict.decode(s.codes[b]);
          if (x === y) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          return x < y ? -1 : 1;
        };
      }
      return (a: number, b: number) => {
        const va = s.valid[a];
        const vb = s.valid[b];
        if (!va || !vb) return va === vb ? 0 : va ? -1 : 1;
        return s.codes[a] - s.codes[b];
      };
    });
    return (a, b) => {
      for (const c of cmps) {
        const r = c(a, b);
        if (r !== 0) return r;
      }
      return 0;
    };
  }

  /** Key columns for the given group ids, in that order. */
  keyColumns(gids: Int32Array): Record<string, Column> {
    const out: Record<string, Column> = {};
    this.keys.forEach((k, j) => {
      const s = this.stores[j];
      const n = gids.length;
      const col = makeColumn(s.dtype, n, s.dict);
      let validity: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const g = gids[i];
        if (s.dtype === 'float64' || s.dtype === 'timestamp') col.data[i] = s.valid[g] ? s.codes[g] : NaN;
        else if (s.dtype === 'utf8') col.data[i] = s.codes[g];
        else {
          col.data[i] = s.codes[g];
          if (!s.valid[g]) {
            validity ??= new Uint8Array(n).fill(1);
            validity[i] = 0;
          }
        }
      }
      out[k] = validity ? ({ ...col, validity } as Column) : col;
    });
    return out;
  }
}
