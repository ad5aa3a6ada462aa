import { parseJsonBytes, WRITERS_DIR } from './layout.js';
import type { CheckpointStore } from './store.js';

/** What a claim file holds. */
export interface WriterClaim {
  epoch: number;
  holder: string;
  host: string;
  pid: number;
  /** The process's start time (Linux `/proc/<pid>/stat`), so a reused pid is not mistaken for the holder. */
  pidStart?: string;
  leaseMs: number;
  /** Wall-clock ms of the last renewal. */
  renewedAt: number;
  released?: boolean;
  /** Commits of earlier writers that count: those that did when this claim was made. */
  inherited: number[];
}

export interface ClaimFile {
  path: string;
  epoch: number;
  token: string;
}

const CLAIM_NAME = /^writers\/([1-9]\d*)-([0-9a-f]+)\.json$/;
export const claimPath = (epoch: number, token: string): string => `${WRITERS_DIR}${epoch}-${token}.json`;

export async function listClaims(store: CheckpointStore): Promise<ClaimFile[]> {
  const out: ClaimFile[] = [];
  for (const path of await store.list(WRITERS_DIR)) {
    const m = CLAIM_NAME.exec(path);
    if (m) out.push({ path, epoch: Number(m[1]), token: m[2] });
  }
  return out.sort((a, b) => b.epoch - a.epoch || (a.token < b.token ? -1 : 1));
}

export async function readClaim(store: CheckpointStore, file: ClaimFile): Promise<WriterClaim | undefined> {
  const read = await readClaimFile(store, file);
  return typeof read === 'object' ? read : undefined;
}

/** A claim, or why there is none: 'missing' (deleted since the listing) or 'torn' (unreadable). */
export async function readClaimFile(store: CheckpointStore, file: ClaimFile): Promise<WriterClaim | 'missing' | 'torn'> {
  const bytes = await store.get(file.path);
  if (bytes === undefined) return 'missing';
  try {
    const c = parseJsonBytes(bytes) as WriterClaim;
    return c !== null && typeof c === 'object' && Array.isArray(c.inherited) ? { ...c, epoch: file.epoch } : 'torn';
  } catch {
    return 'torn';
  }
}

/** The newest claim of a scope (highest epoch), or undefined when no writer ever took part. */
export async function newestClaim(store: CheckpointStore): Promise<WriterClaim | undefined> {
  for (const file of await listClaims(store)) {
    const claim = await readClaim(store, file);
    if (claim) return claim;
  }
  return undefined;
}

