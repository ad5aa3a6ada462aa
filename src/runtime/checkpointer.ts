import { Table } from 'apache-arrow';
import { commitsWithCheckpoints, describe, errorText, withTimeout, fingerprintOf, isStateful, log, nodeIds, stableStringify, type PipelineDescription, type Seekable, type Stream } from '../core/index.js';
import {
  acquireWriter,
  claimStore,
  assertSafeName,
  EncodedState,
  encodeStateBytes,
  assertStorableIds,
  loadCheckpoint,
  pruneCheckpoints,
  writeCheckpoint,
  type AcquireWriterOptions,
  type CheckpointStore,
  type LoadedCheckpoint,
  type WriterLease,
} from '../checkpoint/index.js';
import type { Source } from '../sources/source.js';

/** Everything a checkpoint holds, copied at the cut so the graph can move on while it is written. */
export interface Capture {
  sources: Record<string, unknown>;
  nodes: Record<string, { kind: string; state: unknown }>;
}

/**
 * Copy a state at the cut (nodes may mutate theirs later); Arrow tables are immutable. A structured
 * clone keeps what the checkpoint's tagged JSON keeps (Map, Set, Date, BigInt, NaN, -0, …).
 */
export function copyState(state: unknown, what: string): unknown {
  if (state instanceof Table) return state;
  try {
    return structuredClone(state);
  } catch (e) {
    throw new Error(`checkpoint: the state of ${what} cannot be copied: ${errorText(e)}`, { cause: e });
  }
}

/**
 * A state that only goes to the store, captured as its checkpoint file's bytes right at the cut:
 * one encoding instead of a structured clone now and an encoding at the write (a large keyed
 * state copies in about half the time). Arrow tables are immutable and kept as they are.
 */
export function encodeStateNow(state: unknown, what: string): unknown {
  if (state instanceof Table) return state;
  try {
    return new EncodedState(encodeStateBytes(state));
  } catch (e) {
    throw new Error(`checkpoint: the state of ${what} cannot be stored: ${errorText(e)}`, { cause: e });
  }
}

/** A record keyed by node ids: no prototype, so ids like `__proto__` and `constructor` are plain keys. */
const byId = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** Takes, writes and restores checkpoints of one job's graph. */
export class Checkpointer {
  readonly description: PipelineDescription;
  readonly fingerprint: string;
  private readonly ids: Map<Stream<any>, string>;
  private lease: WriterLease | undefined;

  constructor(
    private readonly store: CheckpointStore,
    private readonly job: string,
    private readonly sources: readonly Source<any>[],
    private readonly options: { keep: number; strict: boolean; allowPipelineChange: boolean; freshIfAllDamaged: boolean },
  ) {
    assertSafeName(job, 'job name');
    this.ids = nodeIds(sources);
    assertStorableIds([...this.ids].filter(([node]) => isStateful(node)).map(([, id]) => id));
    // A copy taken now: parameters such as `accumulate`'s `start` may be mutated by the job later.
    this.description = JSON.parse(stableStringify(describe(sources))) as PipelineDescription;
    for (const node of this.ids.keys()) if (commitsWithCheckpoints(node)) node.bindToCheckpoints();
    this.fingerprint = fingerprintOf(this.description);
  }

  /** Become the store's one writer (before restoring: a restore reads what the writer owns). */
  async acquire(options: AcquireWriterOptions): Promise<void> {
    await claimStore(this.store, this.job);
    this.lease = await acquireWriter(this.store, options);
    log('info', 'writing the checkpoint store', { job: this.job, store: this.store.url, holder: this.lease.holder, epoch: this.lease.epoch });
  }

  /** Give the store up (after the final checkpoint, or when the job ends otherwise). */
  async release(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    // Not being able to say so only makes a successor wait for the lease to expire.
    await lease?.release().catch((e: unknown) => log('warn', 'could not release the checkpoint store', { job: this.job, store: this.store.url, error: errorText(e) }));
  }

  /** Synchronous: must run at a cut. */
  capture(): Capture {
    const sources = byId<unknown>();
    for (const s of this.sources) sources[this.ids.get(s)!] = copyState((s as unknown as Seekable).position(), `source "${this.ids.get(s)}"`);
    const nodes = byId<{ kind: string; state: unknown }>();
    for (const [node, id] of this.ids) if (isStateful(node)) nodes[id] = { kind: node.kind, state: copyState(node.snapshot(), `node "${id}" (${node.kind})`) };
    return { sources, nodes };
  }

  /**
   * Write a capture (commit marker last), tell the sources it is durable, prune old checkpoints.
   * Past `timeoutMs` it fails, and the write is abandoned: it stores nothing more (a put already
   * under way may still land, and leaves an uncommitted leftover or a complete checkpoint).
   */
  async write(capture: Capture, timeoutMs: number): Promise<{ checkpoint: number; bytes: number }> {
    const { result: checkpoint, bytes } = await writeWithin(this.store, timeoutMs, `checkpoint write to ${this.store.url}`, async (store, guard) => {
      const input = { job: this.job, sources: capture.sources, nodes: capture.nodes, pipeline: { description: this.description, fingerprint: this.fingerprint } };
      const n = await writeCheckpoint(store, input, { lease: this.lease });
      guard();
      for (const s of this.sources) await s.checkpointCommitted(capture.sources[this.ids.get(s)!]);
      // Second phase of the exactly-once sinks: publish what this checkpoint pre-committed.
      for (const [node, id] of this.ids) if (commitsWithCheckpoints(node) && id in capture.nodes) await node.checkpointCommitted(capture.nodes[id].state);
      await pruneCheckpoints(store, this.options.keep);
      return n;
    });
    return { checkpoint, bytes };
  }

  /** Put the newest intact checkpoint's states back and seek the sources; null on a fresh start. */
  async restore(): Promise<number | null> {
    const loaded = await loadCheckpoint(this.store, {
      strict: this.options.strict,
      pipeline: { description: this.description, fingerprint: this.fingerprint },
      allowPipelineChange: this.options.allowPipelineChange,
      freshIfAllDamaged: this.options.freshIfAllDamaged,
      onWarning: (message) => log('warn', message, { job: this.job }),
    });
    if (loaded === null) return null;
    restoreStates(this.ids, loaded, { job: this.job, store: this.store.url });
    for (const s of this.sources) {
      const id = this.ids.get(s)!;
      if (Object.hasOwn(loaded.sources, id)) (s as unknown as Seekable).seek(loaded.sources[id]);
    }
    return loaded.checkpoint;
  }
}

/** Give each stateful node (with its id) its state from `loaded`; partitioned jobs do this per task. */
export function restoreStates(nodes: Iterable<[Stream<any>, string]>, loaded: LoadedCheckpoint, fields: Record<string, unknown>): void {
  const known = new Set<string>();
  for (const [node, id] of nodes) {
    known.add(id);
    if (!isStateful(node) || !Object.hasOwn(loaded.states, id)) continue;
    const kind = loaded.metadata.nodes[id].kind;
    if (kind !== node.kind) {
      log('warn', `checkpointed state of node "${id}" is a ${kind} state, but the node is now a ${node.kind}: starting it fresh`, { ...fields, nodeId: id });
      continue;
    }
    try {
      node.restore(loaded.states[id]);
    } catch (e) {
      throw new Error(`restoring node "${id}" (${node.kind}) from checkpoint ${loaded.checkpoint} (${Object.values(fields).join(', ')}) failed: ${errorText(e)}`, { cause: e });
    }
  }
  for (const id of Object.keys(loaded.states)) {
    if (!known.has(id)) log('warn', 'checkpointed state of a node that is no longer in the pipeline is ignored', { ...fields, nodeId: id });
  }
}

/**
 * Run a checkpoint write on `store` within `timeoutMs`. Past it the write fails and is abandoned:
 * it stores nothing more (a put already under way may still land, and leaves an uncommitted
 * leftover or a complete checkpoint), so what queues behind it goes on. `guard()` throws once
 * abandoned; `bytes` counts what was put.
 */
export async function writeWithin<T>(
  store: CheckpointStore,
  timeoutMs: number,
  what: string,
  work: (guarded: CheckpointStore, guard: () => void) => Promise<T>,
): Promise<{ result: T; bytes: number }> {
  let bytes = 0;
  let abandoned = false;
  const guard = () => {
    if (abandoned) throw new Error('checkpoint write abandoned after its timeout');
  };
  const guarded: CheckpointStore = {
    ...bind(store),
    put: async (path, data) => (guard(), (bytes += data.byteLength), store.put(path, data)),
    delete: async (path) => (guard(), store.delete(path)),
  };
  try {
    const result = await withTimeout(work(guarded, guard), timeoutMs, () => `${what} did not finish within ${timeoutMs} ms`);
    return { result, bytes };
  } catch (e) {
    abandoned = true;
    throw e;
  }
}

/** A store's methods bound to it, so a wrapper can override one and keep the rest. */
export function bind(store: CheckpointStore): CheckpointStore {
  return { url: store.url, put: store.put.bind(store), get: store.get.bind(store), list: store.list.bind(store), delete: store.delete.bind(store) };
}
