import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { jsonBytes, parseJsonBytes } from './layout.js';
import { assertSafePrefix, type CheckpointStore } from './store.js';

/**
 * One writer per checkpoint scope (a job's root, or one task of a partitioned job), fenced by an
 * epoch the way Kafka fences producers: every new holder writes `lease/<epoch>.json` one higher
 * than the last, renews it while it lives, and gives it up with `release()`. A writer that sees a
 * higher epoch, or another holder in its own epoch file, is fenced. A successor may write the
 * next epoch only once the current lease is released or has expired.
 *
 * (Minimal version by h-scale of the contract in the helpers' COMMON.md; h-store's full one replaces it.)
 */
export interface WriterLease {
  /** Who holds it, e.g. "host:pid:random" — named in errors. */
  readonly holder: string;
  /** Grows with every new holder of this scope (fencing token). */
  readonly epoch: number;
  /** Throws WriterFencedError if another writer took the scope since. */
  check(): Promise<void>;
  /** Give the scope up (after a final / revoke checkpoint). */
  release(): Promise<void>;
}

export interface AcquireWriterOptions {
  holder?: string;
  /** How long a lease lives without renewal (default 10 000 ms): a crashed holder blocks its successor this long at most. */
  leaseMs?: number;
  /** Wait this long for a live holder to release, else StoreLockedError (default 0). */
  waitMs?: number;
}

/** Another live writer holds the scope. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
  constructor(
    readonly store: string,
    readonly holder: string,
  ) {
    super(`checkpoint store ${store} is held by another writer (${holder}); stop it, or wait until its lease expires`);
  }
}

/** This writer lost the scope to another: it must not commit. */
export class WriterFencedError extends Error {
  override name = 'WriterFencedError';
  constructor(
    readonly store: string,
    readonly holder: string,
    reason: string,
  ) {
    super(`checkpoint store ${store}: this writer was fenced (${reason}); ${holder} now owns it`);
  }
}

interface LeaseRecord {
  holder: string;
  epoch: number;
  expiresAt: number;
  released?: boolean;
}

const LEASE_DIR = 'lease/';
const leasePath = (epoch: number) => `${LEASE_DIR}${epoch}.json`;

async function readLease(store: CheckpointStore, epoch: number): Promise<LeaseRecord | undefined> {
  const bytes = await store.get(leasePath(epoch));
  return bytes === undefined ? undefined : (parseJsonBytes(bytes) as LeaseRecord);
}

async function newestEpoch(store: CheckpointStore): Promise<number> {
  let max = 0;
  for (const p of await store.list(LEASE_DIR)) {
    const m = /^lease\/([1-9]\d*)\.json$/.exec(p);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Take the writer lease of `store`'s scope, waiting up to `waitMs` for a live holder to let go. */
export async function acquireWriter(store: CheckpointStore, options: AcquireWriterOptions = {}): Promise<WriterLease> {
  const holder = options.holder ?? defaultHolder();
  const leaseMs = options.leaseMs ?? 10_000;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const epoch = await newestEpoch(store);
    const current = epoch === 0 ? undefined : await readLease(store, epoch);
    const live = current !== undefined && !current.released && current.expiresAt > Date.now() && current.holder !== holder;
    if (!live) {
      const mine: LeaseRecord = { holder, epoch: epoch + 1, expiresAt: Date.now() + leaseMs };
      await store.put(leasePath(mine.epoch), jsonBytes(mine));
      // Two claimants of one epoch: the file says who won (the other is fenced at its next check).
      if ((await readLease(store, mine.epoch))?.holder === holder) {
        if (epoch > 1) await store.delete(leasePath(epoch - 1)).catch(() => undefined);
        return new Lease(store, mine, leaseMs);
      }
    } else if (Date.now() >= deadline) {
      throw new StoreLockedError(store.url, current.holder);
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
  }
}

class Lease implements WriterLease {
  readonly holder: string;
  readonly epoch: number;
  private released = false;
  private renewing: Promise<void> = Promise.resolve();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly store: CheckpointStore,
    record: LeaseRecord,
    private readonly leaseMs: number,
  ) {
    this.holder = record.holder;
    this.epoch = record.epoch;
    this.renewal = setInterval(() => void (this.renewing = this.renew().catch(() => undefined)), leaseMs / 3);
    this.renewal.unref();
  }

  async check(): Promise<void> {
    const fenced = (holder: string, reason: string) => new WriterFencedError(this.store.url, holder, reason);
    if (this.released) throw fenced('nobody', 'it released its lease');
    // A lapsed lease alone does not fence: a successor takes over by writing a higher epoch first.
    const newest = await newestEpoch(this.store);
    if (newest > this.epoch) throw fenced((await readLease(this.store, newest))?.holder ?? 'another writer', `epoch ${newest} > its epoch ${this.epoch}`);
    const record = await readLease(this.store, this.epoch);
    if (record?.holder !== this.holder) throw fenced(record?.holder ?? 'another writer', `its lease file of epoch ${this.epoch} is gone or taken`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.renewal);
    await this.renewing; // a renewal landing after the release would make successors wait
    const record = await readLease(this.store, this.epoch);
    if (record?.holder === this.holder) await this.store.put(leasePath(this.epoch), jsonBytes({ ...record, released: true, expiresAt: 0 }));
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    const record = await readLease(this.store, this.epoch);
    if (record?.holder !== this.holder || record.released || this.released) return;
    await this.store.put(leasePath(this.epoch), jsonBytes({ holder: this.holder, epoch: this.epoch, expiresAt: Date.now() + this.leaseMs }));
  }
}

/** The store seen from `prefix/` down: a task's scope inside a job's root. */
export function scopedStore(store: CheckpointStore, prefix: string): CheckpointStore {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  assertSafePrefix(p);
  return {
    url: `${store.url.replace(/\/$/, '')}/${p.slice(0, -1)}`,
    put: (path, data) => store.put(p + path, data),
    get: (path) => store.get(p + path),
    list: async (sub) => (await store.list(p + sub)).map((x) => x.slice(p.length)),
    delete: (path) => store.delete(p + path),
  };
}
