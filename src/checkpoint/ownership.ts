import { mapLimit } from './concurrency.js';
import { classifyPath, COMMITS_DIR, commitPath, parseJsonBytes } from './layout.js';
import type { CheckpointStore } from './store.js';
import { newestClaim, type WriterClaim } from './claims.js';

/** The committed checkpoints of a store, split by whether they count (see `writer-lock.ts`). */
export interface CommitOwnership {
  /** Checkpoints whose commit marker exists and counts, ascending. */
  counted: number[];
  /** Commit markers written by a writer that had been fenced by then: never restored, pruned as leftovers. */
  fenced: number[];
}

/**
 * Which commit markers count. Without writer claims (no writer ever took a lease), all of them.
 * Otherwise those the newest claim inherited, those of the newest claim's epoch, and those written
 * without a lease (no `writer` field, as before leases existed); a commit of an older epoch that
 * the newest claim did not inherit was written by a zombie after the takeover. `judge` judges
 * instead of the newest claim (a claim being written judges by the one before it).
 */
export async function commitOwnership(store: CheckpointStore, judge?: WriterClaim): Promise<CommitOwnership> {
  const numbers = new Set<number>();
  for (const p of await store.list(COMMITS_DIR)) {
    const c = classifyPath(p);
    if (c?.role === 'commit') numbers.add(c.checkpoint);
  }
  const sorted = [...numbers].sort((a, b) => a - b);
  const claim = judge ?? (await newestClaim(store));
  if (claim === undefined) return { counted: sorted, fenced: [] };
  const inherited = new Set(claim.inherited);
  const epochs = await mapLimit(sorted, 8, (n) => (inherited.has(n) ? Promise.resolve(claim.epoch) : writerEpoch(store, n)));
  const out: CommitOwnership = { counted: [], fenced: [] };
  sorted.forEach((n, i) => (epochs[i] === undefined || epochs[i] === claim.epoch ? out.counted : out.fenced).push(n));
  return out;
}

/** Committed checkpoints that count, ascending (what a successor inherits); as `judge` sees them if given, else the newest claim. */
export async function committedCheckpointsOf(store: CheckpointStore, judge?: WriterClaim): Promise<number[]> {
  return (await commitOwnership(store, judge)).counted;
}

/** The epoch in a commit marker's `writer`, or undefined when it has none (or is unreadable: the loader reports that). */
async function writerEpoch(store: CheckpointStore, n: number): Promise<number | undefined> {
  const bytes = await store.get(commitPath(n));
  if (bytes === undefined) return undefined;
  try {
    const epoch = (parseJsonBytes(bytes) as { writer?: { epoch?: unknown } }).writer?.epoch;
    return typeof epoch === 'number' ? epoch : undefined;
  } catch {
    return undefined;
  }
}
