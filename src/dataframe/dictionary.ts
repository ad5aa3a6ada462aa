/**
 * A growable string dictionary shared by all frames of one stream column:
 * string <-> Int32 code. Codes are dense (0..size-1) and never change once
 * assigned, so groupby kernels can index per-group tables by code. Code -1 = null.
 *
 * A dictionary only grows; a stream of ever-new strings is bounded by compaction instead
 * (`compactDictionaries`): a new, smaller dictionary of the strings still held replaces it in the
 * stream's record of dictionaries, and whatever holds codes (`CodeHolder`: groupers, aggregates)
 * rewrites them. A holder registers when it is made and releases when its state is gone, so a
 * holder that is not released only keeps strings alive (and may block compaction), never corrupts. The old dictionary is never changed, so frames already emitted keep decoding
 * right; it goes when the last of them does.
 */
export class Dictionary {
  private readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly recent = new RecentStrings();
  private readonly holding = new Set<CodeHolder>();
  /** Size at which compaction is considered next (see `compactDictionaries`). */
  checkAt = 0;

  constructor(initial?: Iterable<string>) {
    if (initial) for (const s of initial) this.encode(s);
  }

  /** Number of distinct strings seen so far. */
  get size(): number {
    return this.strings.length;
  }

  /** Code of `s`, assigning a new one if unseen. */
  encode(s: string): number {
    const recent = this.recent;
    const slot = recent.on ? recentSlot(s) : -1;
    if (slot >= 0 && recent.strings[slot] === s) {
      recent.count(1, 0);
      return recent.codes[slot];
    }
    const c = this.assigned(s);
    if (slot >= 0) recent.remember(slot, s, c);
    recent.count(1, slot >= 0 ? 1 : 0);
    return c;
  }

  /**
   * `encode` of each of src[from..] into `out`, up to the first value that is not a string: returns
   * its index (src.length when there is none). One loop for a column, where a call per string costs
   * a third of the lookup.
   */
  encodeStrings(src: ArrayLike<unknown>, out: Int32Array, from = 0): number {
    const recent = this.recent;
    const { strings, codes, on } = recent;
    let misses = 0;
    let i = from;
    for (; i < src.length; i++) {
      const s = src[i];
      if (typeof s !== 'string') break;
      const slot = on ? recentSlot(s) : -1;
      if (slot >= 0 && strings[slot] === s) {
        out[i] = codes[slot];
        continue;
      }
      const c = (out[i] = this.assigned(s));
      if (slot >= 0) {
        recent.remember(slot, s, c);
        misses++;
      }
    }
    recent.count(i - from, misses);
    return i;
  }

  /** Code of `s` from the map, assigning a new one if unseen. */
  private assigned(s: string): number {
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

  /** `h` keeps codes of this dictionary beyond a batch: compaction asks it, and remaps it. */
  hold(h: CodeHolder): void {
    this.holding.add(h);
  }

  /** `h` keeps no more codes of this dictionary (its state is gone). */
  release(h: CodeHolder): void {
    this.holding.delete(h);
  }

  /** What holds codes of this dictionary now. */
  holders(): CodeHolder[] {
    return [...this.holding];
  }
}

/**
 * A direct-mapped cache of recently encoded strings in front of the Map: a slot from the length and
 * three characters, then `===`, which is a pointer compare for the same string object and a short
 * compare for an equal one. For few distinct keys it is 3-4× faster than `Map.get` (20 ns a string
 * in V8 even when its hash is cached; bench/RESULTS.md). Keys that share those characters (ids
 * that differ in the middle) or too many keys would miss on most strings, so it watches its misses
 * and turns itself off for a while when over half of the recent lookups missed.
 */
class RecentStrings {
  readonly strings: string[] = Array.from({ length: RECENT_SLOTS }, () => '');
  readonly codes = new Int32Array(RECENT_SLOTS);
  on = true;
  private lookups = 0;
  private misses = 0;
  private offFor = 0;

  remember(slot: number, s: string, code: number): void {
    this.strings[slot] = s;
    this.codes[slot] = code;
  }

  /** After `lookups` lookups, `misses` of them cached ones that missed: off for 16 periods of RECENT_PROBE lookups when over half missed, then on to measure again. */
  count(lookups: number, misses: number): void {
    this.misses += misses;
    if ((this.lookups += lookups) < RECENT_PROBE) return;
    if (this.offFor > 0) this.offFor--;
    else if (2 * this.misses > this.lookups) this.offFor = 16;
    this.on = this.offFor === 0;
    this.lookups = this.misses = 0;
  }
}

/** A string's slot in `RecentStrings`, from its length and three of its characters; -1 for strings shorter than 2. */
function recentSlot(s: string): number {
  const n = s.length;
  if (n < 2) return -1;
  return (n + 31 * s.charCodeAt(n - 1) + 961 * s.charCodeAt(n - 2) + 29791 * s.charCodeAt(n >> 1)) & (RECENT_SLOTS - 1);
}
const RECENT_SLOTS = 1024;
const RECENT_PROBE = 4096;

/** Something that keeps codes of a dictionary beyond one batch (a grouper's keys, an aggregate's first/last/nunique of strings). */
export interface CodeHolder {
  /**
   * Mark in `live` the codes of `dict` it holds. False when it cannot follow a compaction of `dict`
   * in `record` (it reads its dictionaries from another record, or keeps codes it cannot rewrite).
   */
  markLive(dict: Dictionary, record: Record<string, Dictionary>, live: Uint8Array): boolean;
  /** Rewrite its codes of `from` as `map[code]` and use `to` from now on. */
  remap(from: Dictionary, to: Dictionary, map: Int32Array): void;
}

/** Compaction is not considered below this many strings (tests lower it). */
export const dictionaryCompaction = { minSize: 1 << 16 };

/**
 * Between two batches (the ingest node calls it): replace each dictionary of `record` that grew to
 * its check size and of which most codes are no longer held by a compacted one, and remap the
 * holders. A dictionary that cannot be compacted (a holder refuses, or most codes are live) is
 * checked again at twice its size, so the checks cost amortised O(1) per new string.
 */
export function compactDictionaries(record: Record<string, Dictionary>): void {
  for (const [name, dict] of Object.entries(record)) {
    if (dict.size < Math.max(dict.checkAt, dictionaryCompaction.minSize)) continue;
    const next = compacted(dict, record);
    if (next === undefined) dict.checkAt = 2 * dict.size;
    else record[name] = next;
  }
}

function compacted(dict: Dictionary, record: Record<string, Dictionary>): Dictionary | undefined {
  const holders = dict.holders();
  const live = new Uint8Array(dict.size);
  for (const h of holders) if (!h.markLive(dict, record, live)) return undefined;
  let held = 0;
  for (let c = 0; c < live.length; c++) held += live[c];
  if (2 * held > dict.size) return undefined;
  const next = new Dictionary();
  const map = new Int32Array(dict.size).fill(-1);
  const strings = dict.values();
  for (let c = 0; c < live.length; c++) if (live[c] === 1) map[c] = next.encode(strings[c]);
  for (const h of holders) {
    h.remap(dict, next, map);
    next.hold(h);
  }
  next.checkAt = 2 * held;
  return next;
}

/** Holds every dictionary it is given and never lets one be compacted: for state that keeps codes it cannot rewrite. */
export const PINNED: CodeHolder = { markLive: () => false, remap: () => {} };
