import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { log } from '../core/log.js';
import { committedCheckpointsOf } from './ownership.js';
import { claimPath, listClaims, newestClaim, readClaim, readClaimFile, type WriterClaim } from './claims.js';
import { jsonBytes } from './layout.js';
import { assertSafeName, type CheckpointStore } from './store.js';

/**
 * One writer per store (see checkpoint/README.md, "One writer"). A writer claims a scope by
 * writing `writers/<epoch>-<token>.json` with an epoch one above every claim present, then
 * listing the claims again: the claim holds only if no other claim of the same or a higher epoch
 * appeared (otherwise it withdraws and retries), the way a lock is built on a store that offers
 * only put, get, list and delete. The holder renews the claim's `renewedAt`; a successor may take
 * over once the claim is released, its process is gone (same host), or it was not renewed for
 * `leaseMs`. Fencing, not the lease, keeps a stale writer out: its commit markers carry its epoch,
 * and a claim records which older commits count (`inherited`), so a commit written after a
 * takeover by an older epoch never counts (`ownership.ts`).
 */
export interface WriterLease {
  /** Who holds it, e.g. "host:pid:random": named in errors. */
  readonly holder: string;
  /** Grows with every new holder of this scope (the fencing token). */
  readonly epoch: number;
  /** Throws `WriterFencedError` if another writer took the scope since. */
  check(): Promise<void>;
  /** Gives the scope up: a successor may take it at once. */
  release(): Promise<void>;
}

export interface AcquireWriterOptions {
  /** Default `host:pid:random`. */
  holder?: string;
  /** A holder that stops renewing is presumed gone after this long (default 10 000 ms). */
  leaseMs?: number;
  /** Wait this long for a live holder to release or expire, then `StoreLockedError` (default `leaseMs` + 2 s). */
  waitMs?: number;
  /** Called once when renewal finds the scope taken by another writer (the job should stop). */
  onLost?: (error: WriterFencedError) => void;
  /** Stop waiting (the caller no longer wants the store): rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Another live writer holds the store. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
  constructor(
    readonly url: string,
    readonly holder: string,
    detail: string,
  ) {
    super(
      `Checkpoint store ${url} is in use by another writer, ${holder} (${detail}); ` +
        'stop that process, or wait for its lease to expire, before starting another on the same store',
    );
  }
}

/** This writer lost the store to a newer one: it must not commit. */
export class WriterFencedError extends Error {
  override name = 'WriterFencedError';
  constructor(
    readonly url: string,
    readonly holder: string,
    readonly epoch: number,
    readonly by: string,
  ) {
    super(`Writer ${holder} (epoch ${epoch}) of checkpoint store ${url} was fenced: ${by} took the store over, so this writer may not commit`);
  }
}

const HOST = hostname();

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function processGone(pid: number, pidStart: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  return pidStart !== undefined && processStart(pid) !== undefined && processStart(pid) !== pidStart;
}

/**
 * Why a claim no longer blocks a successor, or undefined while it does. `seen` remembers when this
 * acquirer first saw each `renewedAt`, so expiry also works when the holder's clock is off.
 */
function vacancy(claim: WriterClaim, seen: Map<string, { renewedAt: number; at: number }>, now: number): string | undefined {
  if (claim.released) return 'released';
  if (claim.host === HOST && processGone(claim.pid, claim.pidStart)) return `process ${claim.pid} on this host is gone`;
  if (now - claim.renewedAt > claim.leaseMs) return `lease expired ${now - claim.renewedAt - claim.leaseMs} ms ago`;
  const key = `${claim.epoch}:${claim.holder}`;
  const last = seen.get(key);
  if (last === undefined || last.renewedAt !== claim.renewedAt) seen.set(key, { renewedAt: claim.renewedAt, at: now });
  else if (now - last.at > claim.leaseMs) return `not renewed for ${now - last.at} ms`;
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the store (or a `scopedStore` scope) for one writer. Waits up to `waitMs` for a live
 * holder; a released claim, a dead process on this host or an expired lease is taken over at once.
 */
export async function acquireWriter(store: CheckpointStore, options: AcquireWriterOptions = {}): Promise<WriterLease> {
  const leaseMs = options.leaseMs ?? 10_000;
  if (!(leaseMs > 0)) throw new RangeError(`acquireWriter: leaseMs must be positive, got ${leaseMs}`);
  const holder = options.holder ?? `${HOST}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const deadline = Date.now() + (options.waitMs ?? leaseMs + 2000);
  const seen = new Map<string, { renewedAt: number; at: number }>();
  const unreadableSince = new Map<string, number>();
  let waits = 0;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const files = await listClaims(store);
    const top = files.filter((f) => f.epoch === files[0]?.epoch);
    const read = await Promise.all(top.map((f) => readClaimFile(store, f)));
    const current = read.filter((c): c is WriterClaim => typeof c === 'object');
    const now = Date.now();
    // A listed claim that cannot be read is being written or deleted: s3rver lists an object before
    // its metadata exists (a GET says NoSuchKey) and writes in place (a GET sees it torn). Either way
    // it is a rival, not a vacancy: judged vacant, it could win the epoch below the one claimed here
    // and make two writers. Listing again shows which; unreadable for longer than a lease, its
    // writer died mid-put.
    const unreadable = top.filter((f, i) => typeof read[i] !== 'object' && now - (unreadableSince.get(f.path) ?? unreadableSince.set(f.path, now).get(f.path)!) <= leaseMs);
    if (unreadable.length > 0) {
      if (now >= deadline) throw new StoreLockedError(store.url, `the writer of ${unreadable[0].path}`, 'its claim is being written or withdrawn');
      await sleep(10 + Math.random() * 20);
      continue;
    }
    const blocking = current.find((c) => vacancy(c, seen, now) === undefined);
    if (blocking === undefined) {
      const reasons = current.map((c) => `${c.holder}: ${vacancy(c, seen, now)}`);
      const lease = await tryClaim(store, { epoch: (files[0]?.epoch ?? 0) + 1, holder, leaseMs, judged: new Set(files.map((f) => f.path)), onLost: options.onLost });
      if (lease !== undefined) {
        if (reasons.length > 0) log('info', 'took over the checkpoint store', { store: store.url, holder, epoch: lease.epoch, from: reasons.join('; ') });
        return lease;
      }
      await sleep(10 + Math.random() * 40 * Math.min(attempt + 1, 10)); // a rival claimed at the same moment
      continue;
    }
    if (now >= deadline) {
      const age = now - blocking.renewedAt;
      throw new StoreLockedError(store.url, blocking.holder, `epoch ${blocking.epoch}, renewed ${age} ms ago, lease ${blocking.leaseMs} ms`);
    }
    // A task's previous owner usually releases within moments of the rebalance: look again soon, then less often.
    await sleep(Math.min(200, 10 * 2 ** Math.min(waits++, 5), Math.max(10, deadline - now)));
  }
}

/**
 * Writes a claim of `epoch`; keeps it only if no rival of the same or a higher epoch shows up, and
 * no claim it did not judge vacant: a rival that saw the store a moment earlier may have just won
 * the epoch below, and taking over from it would make two writers.
 */
async function tryClaim(
  store: CheckpointStore,
  opts: { epoch: number; holder: string; leaseMs: number; judged: ReadonlySet<string>; onLost?: (e: WriterFencedError) => void },
): Promise<Lease | undefined> {
  const previous = await newestClaim(store);
  const inherited = await committedCheckpointsOf(store, previous);
  const token = randomBytes(6).toString('hex');
  const claim: WriterClaim = {
    epoch: opts.epoch,
    holder: opts.holder,
    host: HOST,
    pid: process.pid,
    leaseMs: opts.leaseMs,
    renewedAt: Date.now(),
    inherited,
  };
  const start = processStart(process.pid);
  if (start !== undefined) claim.pidStart = start;
  const path = claimPath(opts.epoch, token);
  await store.put(path, jsonBytes(claim, true));
  const after = await listClaims(store);
  if (after.some((f) => f.path !== path && (f.epoch >= opts.epoch || !opts.judged.has(f.path)))) {
    await store.delete(path);
    return undefined;
  }
  // A commit the previous holder stored after `inherited` was listed, but before this claim was
  // visible, passed that holder's last check, and what it publishes once committed (exactly-once
  // sinks) may already be out: it counts. Any later one meets this claim at its writer's check.
  const late = (await committedCheckpointsOf(store, previous)).filter((n) => !inherited.includes(n));
  if (late.length > 0) {
    claim.inherited = [...inherited, ...late].sort((a, b) => a - b);
    await store.put(path, jsonBytes(claim, true));
  }
  // Older claims are history now; the newest one alone says which commits count.
  await Promise.all(after.filter((f) => f.epoch < opts.epoch).map((f) => store.delete(f.path)));
  return new Lease(store, claim, path, opts.onLost);
}

class Lease implements WriterLease {
  readonly holder: string;
  readonly epoch: number;
  #released = false;
  #lost: WriterFencedError | undefined;
  #renewing: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly store: CheckpointStore,
    private readonly claim: WriterClaim,
    private readonly path: string,
    private readonly onLost: ((e: WriterFencedError) => void) | undefined,
  ) {
    this.holder = claim.holder;
    this.epoch = claim.epoch;
    this.#timer = setInterval(() => void (this.#renewing = this.#renew()), Math.max(50, claim.leaseMs / 3));
    this.#timer.unref();
  }

  async check(): Promise<void> {
    if (this.#lost) throw this.#lost;
    if (this.#released) throw new Error(`Writer ${this.holder} of checkpoint store ${this.store.url} released the store and may not commit`);
    const files = await listClaims(this.store);
    // A claim of this epoch is a rival that listed the store before this claim was visible: it
    // lists again after its put, meets this claim and withdraws (tryClaim). Only a higher epoch took over.
    const newer = files.find((f) => f.epoch > this.epoch);
    if (newer !== undefined || !files.some((f) => f.path === this.path)) {
      const by = newer ? ((await readClaim(this.store, newer))?.holder ?? `a writer of epoch ${newer.epoch}`) : 'another writer (this claim was removed)';
      this.#lost ??= new WriterFencedError(this.store.url, this.holder, this.epoch, by);
      throw this.#lost;
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    await this.#renewing;
    if (this.#lost) return; // the claim is not ours to touch any more
    await this.store.put(this.path, jsonBytes({ ...this.claim, renewedAt: Date.now(), released: true }, true));
  }

  async #renew(): Promise<void> {
    if (this.#released || this.#lost) return;
    try {
      await this.check();
      await this.store.put(this.path, jsonBytes({ ...this.claim, renewedAt: Date.now() }, true));
    } catch (e) {
      if (e instanceof WriterFencedError) {
        clearInterval(this.#timer);
        log('error', 'lost the checkpoint store to another writer', { store: this.store.url, holder: this.holder, epoch: this.epoch, error: e.message });
        this.onLost?.(e);
      } else {
        log('warn', 'could not renew the checkpoint store lease; retrying', { store: this.store.url, holder: this.holder, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

/** A view of `store` whose paths live under `prefix/`: one writer scope per task. */
export function scopedStore(store: CheckpointStore, prefix: string): CheckpointStore {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  assertSafeName(base.slice(0, -1), 'store scope');
  return {
    url: `${store.url.endsWith('/') ? store.url : `${store.url}/`}${base}`,
    put: (path, data) => store.put(base + path, data),
    get: (path) => store.get(base + path),
    list: async (p) => (await store.list(base + p)).map((path) => path.slice(base.length)),
    delete: (path) => store.delete(base + path),
  };
}
