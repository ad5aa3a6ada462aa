/**
 * Windows over a stream of Frames, and aggregations over them.
 *
 * WindowState keeps the live rows as a queue of column chunks (frames as ingested, plus their
 * group ids) and evicts from the front:
 *  - `{ n }`: the last n rows;
 *  - `{ value: '10s', on: 'ts' }`: rows with ts > maxTs - 10s, maxTs the largest ts seen
 *    (closed on the right like pandas rolling('10s'), and like streamz, which evicts
 *    `.loc[:maxTs - 10s]`). Event time is assumed non-decreasing (as streamz assumes); a late
 *    row stays until it reaches the front. Rows with a null ts are dropped on arrival.
 * Small chunks at the tail are merged so a window fed row by row stays compact.
 *
 * WindowedAggregation = WindowState + GroupedAggregation: new rows are added, evicted rows are
 * subtracted (sum/count/size/mean/var/std/nunique); min/max/first/last of a group are recomputed
 * from the window only when an evicted row could have been its extreme/first/last.
 * All stats are recomputed from the window after 4 windows' worth of evictions (min 65536 rows)
 * so rounding drift cannot accumulate over a long stream; the groups start afresh from the window
 * then if most are gone from it, and at once when there are twice as many groups as rows.
 * result() is the aggregate over the current window (groups with no rows left are omitted;
 * without keys, one row always).
 */
import type * as arrow from 'apache-arrow';
import type { CodeHolder, Dictionary } from './dictionary.js';
import { Frame, type Column, type Schema, alignDicts, concatColumns } from './frame.js';
import { parseDuration } from '../core/duration.js';
import { GroupedAggregation, type AggInput, readMeta, withMeta } from './grouped.js';
import { toArrow } from './convert.js';
import { Ingestor } from './ingest.js';

export type WindowSpec = { n: number } | { value: string | number; on: string };

export interface Chunk {
  frame: Frame;
  gids: Int32Array;
  /** sequence number of the chunk's row 0 */
  seq0: number;
  /** first live row */
  start: number;
}

export interface Span {
  frame: Frame;
  gids: Int32Array;
  seq0: number;
  start: number;
  end: number;
}

const SMALL = 2048;
const REBUILD_MIN = 65536;
const MERGE_RUN = 16;
const EMPTY_GIDS = new Int32Array(0);

export class WindowState implements CodeHolder {
  readonly n?: number;
  readonly spanMs?: number;
  readonly on?: string;
  private chunks: Chunk[] = [];
  private head = 0; // index of first chunk in `chunks`
  private live = 0;
  private seq = 0;
  private maxTs = -Infinity;
  /** Registered with its utf8 columns' dictionaries (from its first rows on, so a probe holds nothing). */
  private holding = false;

  constructor(
    readonly spec: WindowSpec,
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
  ) {
    if ('n' in spec) {
      if (!(Number.isInteger(spec.n) && spec.n >= 0)) throw new Error(`window n must be a non-negative integer, got ${spec.n}`);
      this.n = spec.n;
    } else {
      if (schema[spec.on] !== 'timestamp' && schema[spec.on] !== 'float64' && schema[spec.on] !== 'int32') {
        throw new Error(`window on "${spec.on}": column must be timestamp or numeric`);
      }
      this.spanMs = parseDuration(spec.value);
      this.on = spec.on;
    }
  }

  /**
   * Its frames keep codes of the dictionaries they were aligned to, read again when rows leave
   * (removed from aggregates by code): a compaction rewrites the live rows' codes.
   */
  private hold(): void {
    if (this.holding) return;
    this.holding = true;
    for (const c of Object.keys(this.schema)) if (this.schema[c] === 'utf8') this.dicts[c]?.hold(this);
  }

  markLive(dict: Dictionary, record: Record<string, Dictionary>, live: Uint8Array): boolean {
    for (const { frame, start } of this.liveChunks()) {
      for (const col of Object.values(frame.columns)) {
        if (col.dtype !== 'utf8' || col.dict !== dict) continue;
        if (record !== this.dicts) return false;
        for (let i = start; i < col.data.length; i++) if (col.data[i] >= 0) live[col.data[i]] = 1;
      }
    }
    return true;
  }

  /** New columns of the live rows' codes (frames may have been handed on, so they are not rewritten in place); evicted rows read as null. */
  remap(from: Dictionary, to: Dictionary, map: Int32Array): void {
    for (const c of this.liveChunks()) {
      let changed: Record<string, Column> | undefined;
      for (const [name, col] of Object.entries(c.frame.columns)) {
        if (col.dtype !== 'utf8' || col.dict !== from) continue;
        const data = new Int32Array(col.data.length).fill(-1);
        for (let i = c.start; i < data.length; i++) if (col.data[i] >= 0) data[i] = map[col.data[i]];
        (changed ??= {})[name] = { dtype: 'utf8', data, dict: to };
      }
      if (changed) c.frame = c.frame.withColumns(changed);
    }
  }

  private liveChunks(): Chunk[] {
    return this.chunks.slice(this.head);
  }

  get length(): number {
    return this.live;
  }

  /** Next sequence number (rows ever appended). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Align dictionaries and drop rows that can never be in the window (null ts). */
  prepare(batch: Frame): Frame {
    const frame = alignDicts(batch, this.dicts);
    if (this.on === undefined) return frame;
    const ts = frame.col(this.on).data as Float64Array | Int32Array;
    let nulls = 0;
    for (let i = 0; i < ts.length; i++) if (ts[i] !== ts[i]) nulls++;
    if (nulls === 0) return frame;
    const idx = new Int32Array(ts.length - nulls);
    let j = 0;
    for (let i = 0; i < ts.length; i++) if (ts[i] === ts[i]) idx[j++] = i;
    return frame.take(idx);
  }

  /** Append a prepared frame; returns the spans evicted (possibly including part of this frame). */
  push(frame: Frame, gids: Int32Array = EMPTY_GIDS): Span[] {
    if (frame.length > 0) {
      this.hold();
      this.chunks.push({ frame, gids, seq0: this.seq, start: 0 });
      this.seq += frame.length;
      this.live += frame.length;
      if (this.on !== undefined) {
        const ts = frame.col(this.on).data;
        let m = this.maxTs;
        for (let i = 0; i < ts.length; i++) if (ts[i] > m) m = ts[i];
        this.maxTs = m;
      }
    }
    const evicted = this.evict();
    this.compact();
    return evicted;
  }

  private evict(): Span[] {
    const out: Span[] = [];
    if (this.n !== undefined) {
      let excess = this.live - this.n;
      while (excess > 0) {
        const c = this.chunks[this.head];
        const avail = c.frame.length - c.start;
        const k = Math.min(avail, excess);
        out.push({ frame: c.frame, gids: c.gids, seq0: c.seq0, start: c.start, end: c.start + k });
        c.start += k;
        excess -= k;
        this.live -= k;
        if (c.start === c.frame.length) this.dropHead();
      }
    } else {
      const cutoff = this.maxTs - this.spanMs!;
      while (this.head < this.chunks.length) {
        const c = this.chunks[this.head];
        const ts = c.frame.col(this.on!).data;
        let i = c.start;
        while (i < ts.length && !(ts[i] > cutoff)) i++;
        if (i > c.start) {
          out.push({ frame: c.frame, gids: c.gids, seq0: c.seq0, start: c.start, end: i });
          this.live -= i - c.start;
          c.start = i;
        }
        if (c.start === c.frame.length) this.dropHead();
        else break;
      }
    }
    return out;
  }

  private dropHead(): void {
    this.head++;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Merge a run of small chunks at the tail into one. */
  private compact(): void {
    const end = this.chunks.length;
    let k = end;
    while (k > this.head && this.chunks[k - 1].frame.length - this.chunks[k - 1].start < SMALL && end - k < MERGE_RUN) k--;
    if (end - k < MERGE_RUN) return;
    const run = this.chunks.slice(k, end);
    const frames = run.map((c) => c.frame.slice(c.start));
    const cols: Record<string, ReturnType<typeof concatColumns>> = {};
    for (const name of frames[0].names) cols[name] = concatColumns(frames.map((f) => f.col(name)));
    const frame = new Frame(cols);
    const hasGids = run[0].gids.length > 0;
    const gids = hasGids ? new Int32Array(frame.length) : EMPTY_GIDS;
    let off = 0;
    for (const c of run) {
      if (hasGids) gids.set(c.gids.subarray(c.start), off);
      off += c.frame.length - c.start;
    }
    const merged: Chunk = { frame, gids, seq0: run[0].seq0 + run[0].start, start: 0 };
    this.chunks.splice(k, end - k, merged);
  }

  /** Live row spans, oldest first. */
  *spans(): IterableIterator<Span> {
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      yield { frame: c.frame, gids: c.gids, seq0: c.seq0, start: c.start, end: c.frame.length };
    }
  }

  /** Give every live row a new group id (`assign` gets each chunk's live rows); evicted rows get -1. */
  regroup(assign: (live: Frame) => Int32Array): void {
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      const gids = new Int32Array(c.frame.length).fill(-1);
      gids.set(assign(c.frame.slice(c.start)), c.start);
      c.gids = gids;
    }
  }

  /** The window content as one Frame. */
  frame(): Frame {
    const parts: Frame[] = [];
    for (const s of this.spans()) parts.push(s.frame.slice(s.start, s.end));
    return Frame.concat(parts, this.schema, this.dicts);
  }

  /** Bytes of the column buffers (and group ids) the window holds. */
  byteLength(): number {
    let b = 0;
    for (let i = this.head; i < this.chunks.length; i++) b += this.chunks[i].frame.byteLength() + this.chunks[i].gids.byteLength;
    return b;
  }

  snapshot(extraMeta: Record<string, unknown> = {}): arrow.Table {
    return withMeta(toArrow(this.frame()), {
      kind: 'window',
      version: 1,
      spec: this.spec,
      seq: this.seq,
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
      ...extraMeta,
    });
  }

  /** Restore a snapshot into this fresh window; returns the restored rows (for rebuilding aggregates). */
  restoreRows(table: arrow.Table): { frame: Frame; meta: Record<string, unknown> } {
    if (this.seq !== 0) throw new Error('restore: window is not fresh');
    const meta = readMeta(table);
    if (meta.kind !== 'window') throw new Error(`restore: expected a window state, got ${String(meta.kind)}`);
    const frame = table.numRows === 0 ? Frame.empty(this.schema, this.dicts) : new Ingestor(this.schema, { dicts: this.dicts }).fromArrow(table);
    return { frame, meta };
  }

  /** Put restored rows back (after computing their gids). */
  restoreFinish(frame: Frame, gids: Int32Array, meta: Record<string, unknown>): void {
    const seq = meta.seq as number;
    this.seq = seq - frame.length;
    if (frame.length > 0) {
      this.hold();
      this.chunks.push({ frame, gids, seq0: this.seq, start: 0 });
      this.live = frame.length;
    }
    this.seq = seq;
    this.maxTs = meta.maxTs === null || meta.maxTs === undefined ? -Infinity : (meta.maxTs as number);
  }

  restore(table: arrow.Table): void {
    const { frame, meta } = this.restoreRows(table);
    this.restoreFinish(frame, EMPTY_GIDS, meta);
  }
}

export interface WindowedOptions {
  window: WindowSpec;
  schema: Schema;
  dicts: Record<string, Dictionary>;
  by?: string | string[];
  aggs: AggInput;
  dropna?: boolean;
}

export class WindowedAggregation {
  readonly window: WindowState;
  private g: GroupedAggregation;
  private evictedSinceRebuild = 0;

  constructor(private readonly opts: WindowedOptions) {
    this.window = new WindowState(opts.window, opts.schema, opts.dicts);
    this.g = new GroupedAggregation(opts);
  }

  /** Groups the aggregation holds state for (live or not yet dropped). */
  get groups(): number {
    return this.g.grouper.nGroups;
  }

  update(frame: Frame): void {
    const f = this.window.prepare(this.g.align(frame));
    const gids = this.g.assign(f);
    const seq0 = this.window.nextSeq;
    this.g.add(f, gids, seq0);
    for (const sp of this.window.push(f, gids)) {
      this.g.remove(sp.frame, sp.gids, sp.seq0, sp.start, sp.end);
      this.evictedSinceRebuild += sp.end - sp.start;
    }
    // Incremental sums/variances drift slowly under long add/remove histories: recompute from the
    // window once 4 windows' worth of rows have been evicted (amortized cost: 1/4 of an add per row).
    // More groups than rows: most keys left the window (ever-new keys), and they hold their strings.
    const mostlyDead = this.g.grouper.nGroups > 2 * this.window.length + 64;
    if (mostlyDead || this.evictedSinceRebuild > Math.max(4 * this.window.length, REBUILD_MIN) || this.g.stale) {
      if (mostlyDead || this.g.grouper.nGroups > 2 * this.liveGroups() + 64) this.regroup();
      else this.g.rebuild(this.window.spans());
      this.evictedSinceRebuild = 0;
    }
  }

  /** Groups with rows in the window. */
  private liveGroups(): number {
    const size = [...this.g.aggs.values()][0]?.size;
    if (size === undefined || this.g.keys.length === 0) return this.g.grouper.nGroups;
    let live = 0;
    for (let g = 0; g < this.g.grouper.nGroups; g++) if (size[g] > 0) live++;
    return live;
  }

  /**
   * Start the groups afresh from the window's rows: keys that left the window drop out, so the
   * state follows the live keys (a stream of ever new keys would otherwise keep every key it saw).
   * It runs where the periodic rebuild would, which reads every live row anyway.
   */
  private regroup(): void {
    const g = new GroupedAggregation(this.opts);
    this.window.regroup((live) => g.assign(live));
    for (const sp of this.window.spans()) g.add(sp.frame, sp.gids, sp.seq0, sp.start, sp.end);
    this.g.release();
    this.g = g;
  }

  result(): Frame {
    if (!this.g.invertible) this.g.recompute(this.window.spans());
    return this.g.result(true);
  }

  snapshot(): arrow.Table {
    return this.window.snapshot({ by: this.g.keys, specs: this.g.specs });
  }

  /** Restore into a freshly constructed instance with the same options (aggregates are rebuilt from the rows). */
  restore(table: arrow.Table): void {
    const { frame, meta } = this.window.restoreRows(table);
    const gids = this.g.assign(frame);
    this.window.restoreFinish(frame, gids, meta);
    this.g.add(frame, gids, (meta.seq as number) - frame.length);
  }

  static restore(table: arrow.Table, opts: WindowedOptions): WindowedAggregation {
    const w = new WindowedAggregation(opts);
    w.restore(table);
    return w;
  }
}
