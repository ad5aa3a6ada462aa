/**
 * The writer lock's behaviour, run on every backend (writer-lock.test.ts: filesystem;
 * writer-lock-backends.test.ts: OpenDAL fs, S3 through the native client and OpenDAL, Azure Blob).
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireWriter,
  commitOwnership,
  loadCheckpoint,
  newestClaim,
  pruneCheckpoints,
  scopedStore,
  StoreLockedError,
  WriterFencedError,
  writeCheckpoint,
  type CheckpointInput,
  type CheckpointStore,
  type WriterLease,
} from '../../src/checkpoint/index.js';
import { jsonBytes } from '../../src/checkpoint/layout.js';

const input = (total: number): CheckpointInput => ({
  job: 'locked',
  sources: { numbers: { index: total } },
  nodes: { total: { kind: 'accumulate', state: total } },
  pipeline: { description: { nodes: [{ id: 'total', kind: 'accumulate' }], edges: [] } },
});

const cleanups: Array<() => Promise<void>> = [];
/** Runs `fn` after the current test (a backend's temporary directory, say). */
export const onCleanup = (fn: () => Promise<void>): void => void cleanups.push(fn);

async function held(store: CheckpointStore, options: Parameters<typeof acquireWriter>[1] = {}): Promise<WriterLease> {
  const lease = await acquireWriter(store, options);
  cleanups.unshift(() => lease.release().catch(() => {}));
  return lease;
}

/** A claim as a writer on another host would leave it. */
async function foreignClaim(store: CheckpointStore, epoch: number, renewedAgoMs: number, leaseMs = 1000): Promise<void> {
  const claim = { epoch, holder: 'elsewhere:42:abc', host: 'elsewhere', pid: 42, leaseMs, renewedAt: Date.now() - renewedAgoMs, inherited: [] };
  await store.put(`writers/${epoch}-0abc.json`, jsonBytes(claim));
}

/** A store whose commit-marker puts and claim renewals wait at a gate: a writer paused between its lease check and its commit. */
function pausable(inner: CheckpointStore) {
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  let reached: () => void = () => {};
  const atGate = new Promise<void>((r) => (reached = r));
  const store: CheckpointStore = {
    url: inner.url,
    async put(path, data) {
      if (gate && (path.startsWith('commits/') || path.startsWith('writers/'))) {
        if (path.startsWith('commits/')) reached();
        await gate;
      }
      await inner.put(path, data);
    },
    get: (p) => inner.get(p),
    list: (p) => inner.list(p),
    delete: (p) => inner.delete(p),
  };
  return {
    store,
    atGate,
    pause: () => (gate = new Promise<void>((r) => (open = r))),
    resume: () => ((gate = undefined), open()),
  };
}

/** `raceRounds`: rounds of the racing-writers test (default 24; fewer where each store call costs the test process's own CPU, as the AWS SDK's against an in-process s3rver). */
export function defineWriterLockSuite(name: string, makeStore: () => Promise<CheckpointStore>, options: { raceRounds?: number } = {}): void {
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  describe(`acquireWriter on ${name}: one writer per store`, { timeout: 120_000 }, () => {
    it('refuses a second writer while the first lives, naming the holder; a released store is taken at once with a higher epoch', async () => {
      const store = await makeStore();
      const first = await acquireWriter(store);
      expect(first.epoch).toBe(1);
      const refused = await acquireWriter(store, { waitMs: 100 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreLockedError);
      expect((refused as StoreLockedError).holder).toBe(first.holder);
      expect((refused as Error).message).toContain(first.holder);
      expect((refused as Error).message).toContain(store.url);
      await first.release();
      const second = await held(store, { waitMs: 0 });
      expect(second.epoch).toBe(2);
      await expect(first.check()).rejects.toThrow(/released/);
    });

    it('takes over at once from a dead process on this host', async () => {
      const store = await makeStore();
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const { hostname } = await import('node:os');
      const claim = { epoch: 4, holder: `${hostname()}:${dead}:x`, host: hostname(), pid: dead, leaseMs: 600_000, renewedAt: Date.now(), inherited: [] };
      await store.put('writers/4-0dead.json', jsonBytes(claim));
      const lease = await held(store, { waitMs: 0 });
      expect(lease.epoch).toBe(5);
      expect(await store.list('writers/')).toEqual([expect.stringMatching(/^writers\/5-[0-9a-f]+\.json$/)]);
    });

    it('waits out the lease of a live-looking holder on another host', async () => {
      const store = await makeStore();
      // A lease that outlives any slow store call: refused, however loaded the machine.
      await foreignClaim(store, 1, 0, 600_000);
      await expect(acquireWriter(store, { waitMs: 0 })).rejects.toThrow(/in use by another writer, elsewhere:42:abc/);
      // Renewed once more with a short lease: taken once it ran out, not before.
      const renewedAt = Date.now();
      await foreignClaim(store, 1, 0, 300);
      const lease = await held(store, { waitMs: 60_000 });
      expect(lease.epoch).toBe(2);
      expect(Date.now()).toBeGreaterThanOrEqual(renewedAt + 300);
    });

    it('takes over at once from an expired holder on another host', async () => {
      const store = await makeStore();
      await foreignClaim(store, 7, 10_000, 300);
      expect((await held(store, { waitMs: 0 })).epoch).toBe(8);
    });

    it('a scope (scopedStore) is locked independently of the root and of other scopes', async () => {
      const store = await makeStore();
      const root = await held(store);
      const a = await held(scopedStore(store, 'tasks/t-0'));
      const b = await held(scopedStore(store, 'tasks/t-1'));
      expect([root.epoch, a.epoch, b.epoch]).toEqual([1, 1, 1]);
      await expect(acquireWriter(scopedStore(store, 'tasks/t-0'), { waitMs: 0 })).rejects.toBeInstanceOf(StoreLockedError);
      expect((await store.list('tasks/t-0/writers/')).length).toBe(1);
    });

    it('writers racing for a store hold it one at a time, round after round (each holds until its lease checks out, then releases)', async () => {
      // A round: WRITERS writers start at once on an empty store; each, once it wins, must be the
      // only holder and find its lease intact after a store round trip, then releases it for the
      // next. ROUNDS rounds on separate stores, BATCH at a time, so the store is busy as in CI.
      const ROUNDS = options.raceRounds ?? 24;
      const WRITERS = 4;
      const BATCH = 6;
      const round = async (): Promise<string[]> => {
        const store = await makeStore();
        const faults: string[] = [];
        let holding: WriterLease | undefined;
        const writer = async (): Promise<void> => {
          const lease = await acquireWriter(store, { waitMs: 60_000 }); // a failure bound: each waits for at most WRITERS - 1 short holds
          if (holding !== undefined) faults.push(`${lease.holder} (epoch ${lease.epoch}) won while ${holding.holder} (epoch ${holding.epoch}) held the store`);
          holding = lease;
          await lease.check().catch((e: unknown) => faults.push(`${lease.holder} (epoch ${lease.epoch}) lost the store while holding it: ${String(e)}`));
          if (holding === lease) holding = undefined;
          await lease.release();
        };
        await Promise.all(Array.from({ length: WRITERS }, writer));
        const epochs = (await store.list('writers/')).map((p) => Number(/^writers\/(\d+)-/.exec(p)?.[1]));
        if (epochs.length !== 1 || epochs[0] !== WRITERS) faults.push(`after ${WRITERS} holds the claims are of epochs ${epochs.join(', ')}`);
        return faults;
      };
      const faults: string[] = [];
      for (let done = 0; done < ROUNDS; done += BATCH) {
        for (const f of await Promise.all(Array.from({ length: Math.min(BATCH, ROUNDS - done) }, round))) faults.push(...f);
      }
      expect(faults).toEqual([]);
    });
  });

  describe(`fencing on ${name}: a zombie writer can never commit a checkpoint that counts`, { timeout: 120_000 }, () => {
    it('a commit marker written after the takeover, under the stale epoch, is never restored and is pruned as a leftover', async () => {
      const inner = await makeStore();
      const zombieView = pausable(inner);
      const lost: WriterFencedError[] = [];
      const zombie = await acquireWriter(zombieView.store, { leaseMs: 300, onLost: (e) => lost.push(e) });
      expect(await writeCheckpoint(zombieView.store, input(1), { lease: zombie })).toBe(1);
      expect(await writeCheckpoint(zombieView.store, input(2), { lease: zombie })).toBe(2);

      // The zombie checks its lease, then stalls before its commit marker (and stops renewing).
      zombieView.pause();
      const late = writeCheckpoint(zombieView.store, input(3), { lease: zombie });
      await zombieView.atGate;
      const successor = await held(inner, { waitMs: 60_000 }); // a failure bound: the zombie's 300 ms lease runs out long before
      expect(successor.epoch).toBe(2);
      expect((await newestClaim(inner))?.inherited).toEqual([1, 2]);
      expect((await loadCheckpoint(inner))?.checkpoint).toBe(2);

      zombieView.resume();
      expect(await late).toBe(3); // the marker is written (the store cannot stop it)...
      expect(JSON.parse(new TextDecoder().decode(await inner.get('commits/3.json')))).toMatchObject({ writer: { epoch: 1 } });
      expect(await commitOwnership(inner)).toEqual({ counted: [1, 2], fenced: [3] }); // ...but does not count
      expect((await loadCheckpoint(inner))?.checkpoint).toBe(2);
      await expect(loadCheckpoint(inner, { checkpoint: 3 })).rejects.toThrow(/not committed/);

      // Its next checkpoint is refused before it writes anything, and renewal has noticed too.
      const before = (await inner.list('')).sort();
      await expect(writeCheckpoint(zombieView.store, input(4), { lease: zombie })).rejects.toBeInstanceOf(WriterFencedError);
      expect((await inner.list('')).sort()).toEqual(before);
      await expect(zombie.check()).rejects.toThrow(/fenced: .* took the store over/);

      // The successor numbers past the zombie's checkpoint, and retention removes it.
      expect(await writeCheckpoint(inner, input(5), { lease: successor })).toBe(4);
      await pruneCheckpoints(inner, 1);
      expect((await inner.list('commits/')).sort()).toEqual(['commits/4.json']);
      expect((await loadCheckpoint(inner))?.states.total).toBe(5);
    });

    it('a commit stored after the successor listed what counts, but before its claim was visible, counts: its writer\'s last check could not see the claim', async () => {
      const inner = await makeStore();
      const zombieView = pausable(inner);
      const zombie = await acquireWriter(zombieView.store, { leaseMs: 300 });
      await writeCheckpoint(zombieView.store, input(1), { lease: zombie });
      zombieView.pause();
      const late = writeCheckpoint(zombieView.store, input(2), { lease: zombie }); // checked its lease; stalls before the marker
      await zombieView.atGate;
      // The successor has listed the commits that count; right before its claim is stored, the stalled marker lands.
      let landed: Promise<number> | undefined;
      const successorView: CheckpointStore = {
        ...inner,
        put: async (path, data) => {
          if (path.startsWith('writers/') && landed === undefined) {
            zombieView.resume();
            await (landed = late);
          }
          await inner.put(path, data);
        },
        get: (path) => inner.get(path),
        list: (path) => inner.list(path),
        delete: (path) => inner.delete(path),
      };
      const successor = await held(successorView, { waitMs: 60_000 }); // a failure bound: the zombie's 300 ms lease runs out long before
      expect(await landed).toBe(2);
      expect(await commitOwnership(inner)).toEqual({ counted: [1, 2], fenced: [] });
      expect((await newestClaim(inner))?.inherited).toEqual([1, 2]);
      expect((await loadCheckpoint(inner))?.states.total).toBe(2);
      expect(successor.epoch).toBe(2);
    });

    it('with keep 1, a zombie commit newer than the last real one does not make retention delete the real one', async () => {
      const inner = await makeStore();
      const zombieView = pausable(inner);
      const zombie = await acquireWriter(zombieView.store, { leaseMs: 300 });
      await writeCheckpoint(zombieView.store, input(1), { lease: zombie });
      zombieView.pause();
      const late = writeCheckpoint(zombieView.store, input(2), { lease: zombie });
      await zombieView.atGate;
      const successor = await held(inner, { waitMs: 60_000 }); // a failure bound: the zombie's 300 ms lease runs out long before
      zombieView.resume();
      await late;
      await pruneCheckpoints(inner, 1);
      expect((await loadCheckpoint(inner))?.states.total).toBe(1);
      expect(successor.epoch).toBe(2);
    });
  });
}
