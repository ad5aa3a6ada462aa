import { scanCheckpoints } from './catalog.js';
import { mapLimit } from './concurrency.js';
import { commitPath, metadataPath } from './layout.js';
import type { CheckpointStore } from './store.js';

export interface PruneResult {
  /** Committed checkpoints removed (oldest first). */
  deleted: number[];
  /** Uncommitted leftovers older than the newest commit, removed. */
  leftovers: number[];
  /** Committed checkpoints kept. */
  kept: number[];
}

/**
 * Keeps the newest `keep` committed checkpoints (default 10). For each older committed one the
 * commit marker goes first — from then on it no longer counts — then its data files, then its
 * metadata. Uncommitted leftovers older than the newest commit are removed too; anything newer
 * than the newest commit is left alone (it may be a checkpoint being written). Commit markers of a
 * fenced writer count as leftovers.
 */
export async function pruneCheckpoints(store: CheckpointStore, keep = 10): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`pruneCheckpoints: keep must be an integer >= 1, got ${keep}`);
  const scan = await scanCheckpoints(store);
  const committed = scan.filter((s) => s.committed);
  if (committed.length === 0) return { deleted: [], leftovers: [], kept: [] };
  const newest = committed[committed.length - 1].checkpoint;
  const kept = committed.slice(-keep).map((s) => s.checkpoint);
  const keptSet = new Set(kept);
  const result: PruneResult = { deleted: [], leftovers: [], kept };
  for (const s of scan) {
    if (s.checkpoint >= newest || keptSet.has(s.checkpoint)) continue;
    if (s.committed) {
      await store.delete(commitPath(s.checkpoint));
      result.deleted.push(s.checkpoint);
    } else {
      if (s.fenced) await store.delete(commitPath(s.checkpoint));
      result.leftovers.push(s.checkpoint);
    }
    await mapLimit(s.dataFiles, 8, (f) => store.delete(f));
    if (s.hasMetadata) await store.delete(metadataPath(s.checkpoint));
  }
  return result;
}
