/**
 * JSON lines (one JSON object per message: Buffers as a Kafka consumer hands them over, or
 * strings) → columns, without building row objects. The batch is decoded to one string (one
 * native call instead of one per message, lines separated by NUL, which valid JSON never holds)
 * and each line is scanned: numbers go straight into the column's Float64Array, strings into its
 * dictionary. JSON.parse per message plus row objects ran at about half this speed
 * (bench/sdf/ingest-bench.ts).
 *
 * The scanner takes the common shape (an object of scalars, keys without escapes); a line with
 * anything else (nested values, escapes, keys outside the schema, malformed text) is parsed alone
 * by JSON.parse and written cell by cell, so the result is JSON.parse's, and a line that is not
 * one JSON object fails naming its row.
 */
import { SchemaMismatchError } from './errors.js';
import type { DType, Schema } from './frame.js';
import type { Dictionary } from './dictionary.js';
import type { RowColumns, SlowCell } from './row-reader.js';

export type JsonLine = Uint8Array | string;

/** Is `batch` a batch of JSON lines (rather than row objects)? Decided by its first element. */
export function isJsonLines(batch: readonly unknown[]): batch is readonly JsonLine[] {
  const first = batch[0];
  return typeof first === 'string' || first instanceof Uint8Array;
}

/** The column-level targets of one batch. */
export interface JsonTarget {
  names: readonly string[];
  schema: Schema;
  dicts: (Dictionary | undefined)[];
  cols: RowColumns;
  slow: SlowCell;
}

/** Fill `t.cols` from `lines`, one row per line. */
export function readJsonLines(lines: readonly JsonLine[], t: JsonTarget): void {
  const text = joined(lines);
  const scan = new LineScanner(text, t);
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    const end = scan.line(pos, i);
    if (end >= 0 && (end === text.length || text.charCodeAt(end) === 0)) {
      pos = end + 1;
      continue;
    }
    // Not the common shape: this line alone through JSON.parse (which also names a bad line).
    const row = parseLine(lines, i);
    writeRow(row, i, t);
    const next = text.indexOf('\0', pos);
    pos = next < 0 ? text.length : next + 1;
  }
}

function joined(lines: readonly JsonLine[]): string {
  if (typeof lines[0] === 'string') {
    for (let i = 0; i < lines.length; i++) if (typeof lines[i] !== 'string') throw badLine(lines, i, 'a JSON line (string or bytes)');
    return (lines as string[]).join('\0');
  }
  // One buffer, each line copied in by TypedArray.set: Buffer.concat of the lines and separators
  // copied part by part through a slower JS path (13% of the scan).
  let bytes = Math.max(lines.length - 1, 0);
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] instanceof Uint8Array)) throw badLine(lines, i, 'a JSON line (string or bytes)');
    bytes += (lines[i] as Uint8Array).length;
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) out[at++] = 0;
    out.set(lines[i] as Uint8Array, at);
    at += (lines[i] as Uint8Array).length;
  }
  return out.toString('utf8');
}

/** Reads one line's object straight into the columns; -1 when the line needs JSON.parse. */
class LineScanner {
  private readonly index = new Map<string, number>();
  private readonly kinds: Uint8Array;
  /** Where the number `number` read ends. */
  private end = 0;
  /** Line that last set each column, to fill the columns a line lacks with nulls. */
  private readonly setBy: Int32Array;

  constructor(
    private readonly s: string,
    private readonly t: JsonTarget,
  ) {
    t.names.forEach((n, j) => this.index.set(n, j));
    this.kinds = Uint8Array.from(t.names, (n) => kindOf(t.schema[n]));
    this.setBy = new Int32Array(t.names.length).fill(-1);
  }

  line(pos: number, row: number): number {
    const s = this.s;
    const names = this.t.names;
    let p = s.charCodeAt(pos) > 0x20 ? pos : skipBlank(s, pos); // skipBlank is not inlined here: called only at blanks
    if (s.charCodeAt(p) !== 0x7b) return -1;
    p = s.charCodeAt(p + 1) > 0x20 ? p + 1 : skipBlank(s, p + 1);
    let set = 0;
    let guess = 0;
    if (s.charCodeAt(p) === 0x7d) return this.finish(row, set, p + 1);
    for (;;) {
      if (s.charCodeAt(p) !== 0x22) return -1;
      const k0 = p + 1;
      const k1 = stringEnd(s, k0);
      if (k1 < 0) return -1;
      let j = guess < names.length && k1 - k0 === names[guess].length && sameText(s, k0, names[guess]) ? guess : this.index.get(s.slice(k0, k1));
      if (j === undefined) return -1; // a column outside the schema: JSON.parse's row says which
      p = s.charCodeAt(k1 + 1) > 0x20 ? k1 + 1 : skipBlank(s, k1 + 1);
      if (s.charCodeAt(p) !== 0x3a) return -1;
      p = s.charCodeAt(p + 1) > 0x20 ? p + 1 : skipBlank(s, p + 1);
      p = this.value(p, j, row);
      if (p < 0) return -1;
      if (this.setBy[j] !== row) {
        this.setBy[j] = row;
        set++;
      }
      guess = j + 1;
      p = s.charCodeAt(p) > 0x20 ? p : skipBlank(s, p);
      const c = s.charCodeAt(p);
      if (c === 0x7d) return this.finish(row, set, p + 1);
      if (c !== 0x2c) return -1;
      p = s.charCodeAt(p + 1) > 0x20 ? p + 1 : skipBlank(s, p + 1);
    }
  }

  /** Read the value at `p` into column j; the position after it, or -1. */
  private value(p: number, j: number, row: number): number {
    const s = this.s;
    const c = s.charCodeAt(p);
    const { cols, slow } = this.t;
    const data = cols.data[j];
    const kind = this.kinds[j];
    cols.present[j] = true;
    if (c === 0x22) {
      const end = stringEnd(s, p + 1);
      if (end < 0) return -1;
      const str = s.slice(p + 1, end);
      if (kind === UTF8) (data as Int32Array)[row] = this.t.dicts[j]!.encode(str);
      else if (kind === NUMBER) (data as Float64Array)[row] = slow(j, str, row);
      else (data as unknown[])[row] = str;
      return end + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const x = this.number(p);
      const end = this.end;
      if (end < 0) return -1;
      if (kind === NUMBER) (data as Float64Array)[row] = x;
      else if (kind === UTF8) (data as Int32Array)[row] = slow(j, x, row);
      else (data as unknown[])[row] = x;
      return end;
    }
    let x: boolean | null;
    let end: number;
    if (c === 0x6e && s.startsWith('null', p)) (x = null), (end = p + 4);
    else if (c === 0x74 && s.startsWith('true', p)) (x = true), (end = p + 4);
    else if (c === 0x66 && s.startsWith('false', p)) (x = false), (end = p + 5);
    else return -1; // nested values and anything malformed
    if (kind === NUMBER) (data as Float64Array)[row] = slow(j, x, row);
    else if (kind === UTF8) (data as Int32Array)[row] = slow(j, x, row);
    else (data as unknown[])[row] = x;
    return end;
  }

  /**
   * The JSON number at `p`, as JSON.parse reads it; where it ends in `end` (-1: not a JSON number).
   * Clinger's fast path: when the digits, read as an integer w, stay below 2^53 and there are at
   * most 22 decimals and no exponent, w and 10^decimals are exact doubles and one division rounds
   * their quotient correctly, to JSON.parse's double. Others (17 digits, exponents) go through
   * Number(), which costs a substring. One pass over the digits checks the grammar and reads them.
   */
  private number(p: number): number {
    const s = this.s;
    let q = p;
    const neg = s.charCodeAt(q) === 0x2d;
    if (neg) q++;
    let c = s.charCodeAt(q);
    let w = 0;
    if (c === 0x30) c = s.charCodeAt(++q);
    else if (c >= 0x31 && c <= 0x39) for (; c >= 0x30 && c <= 0x39; c = s.charCodeAt(++q)) w = w * 10 + (c - 0x30);
    else return (this.end = -1);
    let decimals = 0;
    if (c === 0x2e) {
      c = s.charCodeAt(++q);
      if (!(c >= 0x30 && c <= 0x39)) return (this.end = -1);
      for (; c >= 0x30 && c <= 0x39; c = s.charCodeAt(++q), decimals++) w = w * 10 + (c - 0x30);
    }
    if (c === 0x65 || c === 0x45) {
      this.end = numberEnd(s, p);
      return this.end < 0 ? NaN : Number(s.slice(p, this.end));
    }
    this.end = q;
    if (!(w < EXACT) || decimals > 22) return Number(s.slice(p, q));
    const x = decimals === 0 ? w : w / POW10[decimals];
    return neg ? -x : x;
  }

  /** After the line's `}`: columns it did not hold are null. */
  private finish(row: number, set: number, end: number): number {
    if (set === this.t.names.length) return skipBlank(this.s, end);
    for (let j = 0; j < this.kinds.length; j++) if (this.setBy[j] !== row) writeNull(this.t, j, row);
    return skipBlank(this.s, end);
  }
}

const NUMBER = 0;
const UTF8 = 1;
const RAW = 2;
function kindOf(dtype: DType): number {
  return dtype === 'float64' || dtype === 'timestamp' ? NUMBER : dtype === 'utf8' ? UTF8 : RAW;
}

function writeNull(t: JsonTarget, j: number, row: number): void {
  const data = t.cols.data[j];
  const kind = kindOf(t.schema[t.names[j]]);
  if (kind === NUMBER) (data as Float64Array)[row] = NaN;
  else if (kind === UTF8) (data as Int32Array)[row] = -1;
  else (data as unknown[])[row] = undefined;
}

/** A row JSON.parse made, written cell by cell as the row reader does. */
function writeRow(r: Record<string, unknown>, row: number, t: JsonTarget): void {
  t.names.forEach((n, j) => {
    const x = r[n];
    if (x !== undefined) t.cols.present[j] = true;
    const data = t.cols.data[j];
    const kind = kindOf(t.schema[n]);
    if (kind === NUMBER) (data as Float64Array)[row] = typeof x === 'number' ? x : t.slow(j, x, row);
    else if (kind === UTF8) (data as Int32Array)[row] = typeof x === 'string' ? t.dicts[j]!.encode(x) : t.slow(j, x, row);
    else (data as unknown[])[row] = x;
  });
  for (const k in r) if (!Object.prototype.hasOwnProperty.call(t.schema, k)) t.cols.odd.add(k);
}

/** Does `s` hold `text` at `p`? (startsWith with a position, which this loop outran) */
function sameText(s: string, p: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (s.charCodeAt(p + i) !== text.charCodeAt(i)) return false;
  return true;
}

function skipBlank(s: string, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return p;
    p++;
  }
}

/** Index of the closing quote of a string starting at `p`, or -1 for escapes and control characters (JSON.parse takes those). */
function stringEnd(s: string, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    if (c === 0x22) return p;
    if (c === 0x5c || c < 0x20 || c !== c) return -1;
    p++;
  }
}

/** End of a JSON number at `p` (the grammar exactly: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or -1; `number` checks those without an exponent itself. */
function numberEnd(s: string, p: number): number {
  if (s.charCodeAt(p) === 0x2d) p++;
  let c = s.charCodeAt(p);
  if (c === 0x30) c = s.charCodeAt(++p);
  else if (c >= 0x31 && c <= 0x39) while ((c = s.charCodeAt(++p)) >= 0x30 && c <= 0x39);
  else return -1;
  if (c === 0x2e) {
    c = s.charCodeAt(++p);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    while ((c = s.charCodeAt(++p)) >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    c = s.charCodeAt(++p);
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++p);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    while ((c = s.charCodeAt(++p)) >= 0x30 && c <= 0x39);
  }
  return p;
}

/** 10^0 … 10^22, each exact in a double (built by exact multiplications). */
const POW10 = new Float64Array(23);
for (let i = 0, x = 1; i < POW10.length; i++, x *= 10) POW10[i] = x;
const EXACT = 2 ** 53;

function lineText(l: JsonLine): string {
  return typeof l === 'string' ? l : Buffer.from(l.buffer, l.byteOffset, l.byteLength).toString('utf8');
}

/** Line i alone through JSON.parse; it must be one object. */
function parseLine(lines: readonly JsonLine[], i: number): Record<string, unknown> {
  let r: unknown;
  try {
    r = JSON.parse(lineText(lines[i]));
  } catch (e) {
    throw badLine(lines, i, 'one JSON object per line', `not JSON: ${(e as Error).message}`);
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw badLine(lines, i, 'one JSON object per line', 'not an object');
  return r as Record<string, unknown>;
}

function badLine(lines: readonly JsonLine[], i: number, expected: string, why?: string): SchemaMismatchError {
  const l = lines[i];
  if (typeof l !== 'string' && !(l instanceof Uint8Array)) return new SchemaMismatchError('(row)', expected, l === null ? 'null' : typeof l, `at row ${i}`);
  const text = lineText(l);
  return new SchemaMismatchError('(row)', expected, `${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)}${why ? ` (${why})` : ''}`, `at row ${i}`);
}
