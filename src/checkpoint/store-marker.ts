import { jsonBytes, parseJsonBytes, STORE_MARKER } from './layout.js';
import type { CheckpointStore } from './store.js';

/** The store is another job's, or lies inside another job's store. */
export class StoreOwnershipError extends Error {
  override name = 'StoreOwnershipError';
}

async function ownerOf(store: CheckpointStore): Promise<string | undefined> {
  const bytes = await store.get(STORE_MARKER);
  if (bytes === undefined) return undefined;
  try {
    const job = (parseJsonBytes(bytes) as { job?: unknown }).job;
    return typeof job === 'string' ? job : '(unreadable marker)';
  } catch {
    return '(unreadable marker)';
  }
}

/**
 * Makes `store` job `job`'s: refuses a store inside another job's store (whose retention would
 * delete it) and a store that belongs to another job; otherwise writes the marker
 * `streamframe-store` if it is not there yet, before anything else.
 */
export async function claimStore(store: CheckpointStore, job: string): Promise<void> {
  const owner = await ownerOf(store);
  if (owner !== undefined && owner !== job) {
    throw new StoreOwnershipError(`Checkpoint store ${store.url} belongs to job "${owner}", not "${job}"; give each job its own store`);
  }
  for (let up = store.parent?.(); up !== undefined; up = up.parent?.()) {
    const outer = await ownerOf(up);
    if (outer !== undefined) {
      throw new StoreOwnershipError(`Checkpoint store ${store.url} lies inside the store of job "${outer}" (${up.url}); give each job a store of its own, outside any other`);
    }
  }
  if (owner === undefined) await store.put(STORE_MARKER, jsonBytes({ format: 'streamframe checkpoints', version: 1, job }, true));
}

/** Directories (`data/1/`) of `paths` that hold another store's marker: their files are not this store's. */
export function nestedStoreDirs(paths: readonly string[]): string[] {
  return paths.filter((p) => p.endsWith(`/${STORE_MARKER}`)).map((p) => p.slice(0, -STORE_MARKER.length));
}
