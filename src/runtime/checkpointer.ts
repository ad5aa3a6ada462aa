import { Table } from 'apache-arrow';
import { describe, fingerprintOf, isStateful, log, nodeIds, type PipelineDescription, type Stream } from '../core/index.js';
import {
  acquireWriter,
  assertSafeName,
  loadCheckpoint,
  pruneCheckpoints,
  writeCheckpoint,
  type AcquireWriterOptions,
  type CheckpointStore,
  type WriterLease,
} from '../checkpoint/index.js';
import type { Source } from '../sources/source.js';

/** Everything a checkpoint holds, copied at the cut so the graph can move on while it is written. */
export interface Capture {
  sources: Record<string, unknown>;
  nodes: Record<string, { kind: string; state: unknown }>;
}

/** Copy a JSON state at the cut (nodes may mutate theirs later); Arrow tables are immutable. */
function copyState(state: unknown): unknown {
  return state instanceof Table ? state : JSON.parse(JSON.stringify(state ?? null));
}

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
    private readonly options: { keep: number; strict: boolean; allowPipelineChange: boolean },
  ) {
    assertSafeName(job, 'job name');
    this.ids = nodeIds(sources);
    for (const [node, id] of this.ids) if (isStateful(node)) assertSafeName(id, 'node id');
    this.description = describe(sources);
    this.fingerprint = fingerprintOf(this.description);
  }

  /** Become the store's one writer (before restoring: a restore reads what the writer owns). */
  async acquire(options: AcquireWriterOptions): Promise<void> {
    this.lease = await acquireWriter(this.store, options);
    log('info', 'writing the checkpoint store', { job: this.job, store: this.store.url, holder: this.lease.holder, epoch: this.lease.epoch });
  }

  /** Give the store up (after the final checkpoint, or when the job ends otherwise). */
  async release(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  /** Synchronous: must run at a cut. */
  capture(): Capture {
    const sources: Record<string, unknown> = {};
    for (const s of this.sources) sources[this.ids.get(s)!] = copyState((s as unknown as { position(): unknown }).position());
    const nodes: Capture['nodes'] = {};
    for (const [node, id] of this.ids) if (isStateful(node)) nodes[id] = { kind: node.kind, state: copyState(node.snapshot()) };
    return { sources, nodes };
  }

  /** Write a capture (commit marker last), tell the sources it is durable, prune old checkpoints. */
  async write(capture: Capture): Promise<{ checkpoint: number; bytes: number }> {
    let bytes = 0;
    const counting: CheckpointStore = { ...bind(this.store), put: (path, data) => ((bytes += data.byteLength), this.store.put(path, data)) };
    const n = await writeCheckpoint(counting, {
      job: this.job,
      sources: capture.sources,
      nodes: capture.nodes,
      pipeline: { description: this.description, fingerprint: this.fingerprint },
    }, { lease: this.lease });
    for (const s of this.sources) await s.checkpointCommitted(capture.sources[this.ids.get(s)!]);
    await pruneCheckpoints(this.store, this.options.keep);
    return { checkpoint: n, bytes };
  }

  /** Put the newest intact checkpoint's states back and seek the sources; null on a fresh start. */
  async restore(): Promise<number | null> {
    const loaded = await loadCheckpoint(this.store, {
      strict: this.options.strict,
      pipeline: { description: this.description, fingerprint: this.fingerprint },
      allowPipelineChange: this.options.allowPipelineChange,
      onWarning: (message) => log('warn', message, { job: this.job }),
    });
    if (loaded === null) return null;
    const known = new Set<string>();
    for (const [node, id] of this.ids) {
      known.add(id);
      if (isStateful(node) && id in loaded.states) node.restore(loaded.states[id]);
    }
    for (const s of this.sources) {
      const position = loaded.sources[this.ids.get(s)!];
      if (position !== undefined) (s as unknown as { seek(p: unknown): void }).seek(position);
    }
    for (const id of Object.keys(loaded.states)) {
      if (!known.has(id)) log('warn', 'checkpointed state of a node that is no longer in the pipeline is ignored', { job: this.job, nodeId: id });
    }
    return loaded.checkpoint;
  }
}

/** A store's methods bound to it, so a wrapper can override one and keep the rest. */
function bind(store: CheckpointStore): CheckpointStore {
  return { url: store.url, put: store.put.bind(store), get: store.get.bind(store), list: store.list.bind(store), delete: store.delete.bind(store) };
}
