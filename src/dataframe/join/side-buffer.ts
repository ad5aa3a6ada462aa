/**
 * The buffered rows of one side of a join: batches as they came (chunks), each row's key id and
 * event time, whether it matched yet (for outer joins), and a hash index key id → rows.
 *
 * Rows are freed by event time (`freeBelow`). A chunk goes as soon as all its rows are freed; when
 * freed rows still pinned in partly live chunks outnumber the live ones, the live rows are copied
 * into one chunk, so memory stays within about twice the rows the join must hold.
 */
import { Frame, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';

/** A row's place: chunk id × 2^24 + row; `add` splits larger batches. */
const ROW_BITS = 16777216;

interface Chunk {
  frame: Frame;
  keys: Float64Array;
  ts: Float64Array;
  matched: Uint8Array;
  alive: Uint8Array;
  live: number;
  /** The smallest event time of a live row (what `freeBelow` compares first). */
  minTs: number;
}

/** Rows of a chunk that `freeBelow` hands back. */
export interface ChunkRows {
  frame: Frame;
  rows: number[];
}

export class SideBuffer {
  private chunks = new Map<number, Chunk>();
  private index = new Map<number, number[]>();
  private nextChunk = 0;
  private liveRows = 0;
  private pinnedRows = 0;

  constructor(
    readonly schema: Schema,
    readonly dicts: Record<string, Dictionary>,
  ) {}

  /** Rows held (not yet freed). */
  get size(): number {
    return this.liveRows;
  }

  /** Rows in memory: held, plus freed rows still in a chunk with held ones. */
  get retained(): number {
    return this.liveRows + this.pinnedRows;
  }

  /** Keep `rows` of `frame` (aligned to this side's dictionaries); `keys` and `ts` are per row of `frame`. */
  add(frame: Frame, keys: Float64Array, ts: Float64Array, rows: readonly number[], matched?: Uint8Array): void {
    if (rows.length === 0) return;
    if (rows.length >= ROW_BITS) {
      for (let at = 0; at < rows.length; at += ROW_BITS - 1) this.add(frame, keys, ts, rows.slice(at, at + ROW_BITS - 1), matched);
      return;
    }
    const whole = rows.length === frame.length;
    const chunk: Chunk = {
      frame: whole ? frame : frame.take(rows),
      keys: whole ? keys : Float64Array.from(rows, (r) => keys[r]),
      ts: whole ? ts : Float64Array.from(rows, (r) => ts[r]),
      matched: matched === undefined ? new Uint8Array(rows.length) : whole ? matched : Uint8Array.from(rows, (r) => matched[r]),
      alive: new Uint8Array(rows.length).fill(1),
      live: rows.length,
      minTs: Infinity,
    };
    const id = this.nextChunk++;
    this.chunks.set(id, chunk);
    for (let i = 0; i < chunk.keys.length; i++) {
      if (chunk.ts[i] < chunk.minTs) chunk.minTs = chunk.ts[i];
      const list = this.index.get(chunk.keys[i]);
      if (list === undefined) this.index.set(chunk.keys[i], [id * ROW_BITS + i]);
      else list.push(id * ROW_BITS + i);
    }
    this.liveRows += rows.length;
  }

  /**
   * Every held row with key `key` whose time is in [lo, hi]: calls `found(chunk, row)`.
   * `markMatched` records that the row found a partner (outer joins emit the others when freed).
   */
  probe(key: number, lo: number, hi: number, found: (chunk: number, row: number) => void, markMatched: boolean): void {
    const list = this.index.get(key);
    if (list === undefined) return;
    for (const ref of list) {
      const c = Math.floor(ref / ROW_BITS);
      const r = ref - c * ROW_BITS;
      const chunk = this.chunks.get(c)!;
      const t = chunk.ts[r];
      if (t >= lo && t <= hi) {
        if (markMatched) chunk.matched[r] = 1;
        found(c, r);
      }
    }
  }

  frameOf(chunk: number): Frame {
    return this.chunks.get(chunk)!.frame;
  }

  /** The smallest event time held (Infinity when empty). */
  get minTs(): number {
    let min = Infinity;
    for (const c of this.chunks.values()) if (c.minTs < min) min = c.minTs;
    return min;
  }

  /** Free every row with event time below `ts`; returns the freed rows that never matched (for outer joins). */
  freeBelow(ts: number, wantUnmatched: boolean): ChunkRows[] {
    const unmatched: ChunkRows[] = [];
    const touched = new Set<number>();
    for (const [id, c] of this.chunks) {
      if (c.minTs >= ts) continue;
      const lost: number[] = [];
      let minTs = Infinity;
      for (let i = 0; i < c.ts.length; i++) {
        if (c.alive[i] === 0) continue;
        if (c.ts[i] < ts) {
          c.alive[i] = 0;
          touched.add(c.keys[i]);
          if (wantUnmatched && c.matched[i] === 0) lost.push(i);
          c.live--;
          this.liveRows--;
          this.pinnedRows++;
        } else if (c.ts[i] < minTs) minTs = c.ts[i];
      }
      c.minTs = minTs;
      if (lost.length > 0) unmatched.push({ frame: c.frame, rows: lost });
      if (c.live === 0) {
        this.chunks.delete(id);
        this.pinnedRows -= c.ts.length;
      }
    }
    if (touched.size === 0) return unmatched;
    if (this.pinnedRows > this.liveRows) this.compact();
    else for (const key of touched) this.reindex(key);
    return unmatched;
  }

  /** All held rows, with their matched flags, in one frame (the checkpoint). */
  held(): { frame: Frame; matched: Uint8Array } {
    const frames: Frame[] = [];
    const matched: number[] = [];
    for (const c of this.chunks.values()) {
      const rows: number[] = [];
      for (let i = 0; i < c.alive.length; i++) if (c.alive[i] === 1) rows.push(i);
      frames.push(rows.length === c.alive.length ? c.frame : c.frame.take(rows));
      for (const r of rows) matched.push(c.matched[r]);
    }
    return { frame: Frame.concat(frames, this.schema, this.dicts), matched: Uint8Array.from(matched) };
  }

  clear(): void {
    this.chunks.clear();
    this.index.clear();
    this.liveRows = 0;
    this.pinnedRows = 0;
  }

  /** Drop freed rows from one key's list (the list may go). */
  private reindex(key: number): void {
    const list = this.index.get(key);
    if (list === undefined) return;
    const kept = list.filter((ref) => {
      const c = this.chunks.get(Math.floor(ref / ROW_BITS));
      return c !== undefined && c.alive[ref % ROW_BITS] === 1;
    });
    if (kept.length === 0) this.index.delete(key);
    else this.index.set(key, kept);
  }

  /** Copy the live rows into one chunk and rebuild the index. */
  private compact(): void {
    const parts: { frame: Frame; keys: number[]; ts: number[]; matched: number[]; rows: number[] }[] = [];
    for (const c of this.chunks.values()) {
      const p = { frame: c.frame, keys: [] as number[], ts: [] as number[], matched: [] as number[], rows: [] as number[] };
      for (let i = 0; i < c.alive.length; i++) {
        if (c.alive[i] === 0) continue;
        p.rows.push(i);
        p.keys.push(c.keys[i]);
        p.ts.push(c.ts[i]);
        p.matched.push(c.matched[i]);
      }
      parts.push(p);
    }
    this.clear();
    const frame = Frame.concat(parts.map((p) => (p.rows.length === p.frame.length ? p.frame : p.frame.take(p.rows))), this.schema, this.dicts);
    const all = <K extends 'keys' | 'ts' | 'matched'>(k: K) => parts.flatMap((p) => p[k]);
    const rows = Array.from({ length: frame.length }, (_, i) => i);
    this.add(frame, Float64Array.from(all('keys')), Float64Array.from(all('ts')), rows, Uint8Array.from(all('matched')));
  }
}
