/**
 * A growable string dictionary shared by all frames of one stream column:
 * string <-> Int32 code. Codes are dense (0..size-1) and never change once
 * assigned, so groupby kernels can index per-group tables by code. Code -1 = null.
 */
export class Dictionary {
  private readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();

  constructor(initial?: Iterable<string>) {
    if (initial) for (const s of initial) this.encode(s);
  }

  /** Number of distinct strings seen so far. */
  get size(): number {
    return this.strings.length;
  }

  /** Code of `s`, assigning a new one if unseen. */
  encode(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.strings.length;
      this.strings.push(s);
      this.codes.set(s, c);
    }
    return c;
  }

  /** Code of `s`, or -1 when unseen (does not grow the dictionary). */
  lookup(s: string): number {
    const c = this.codes.get(s);
    return c === undefined ? -1 : c;
  }

  /** String of `code`, or null for -1. */
  decode(code: number): string | null {
    return code < 0 ? null : this.strings[code];
  }

  /** All strings in code order (a read-only view; do not mutate). */
  values(): readonly string[] {
    return this.strings;
  }
}
