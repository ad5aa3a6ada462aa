import type { Table } from 'apache-arrow';
import { AllCheckpointsDamagedError, CheckpointDamagedError, CheckpointNotFoundError, PipelineChangedError } from './errors.js';
import { fingerprintDiff, pipelineFingerprint } from './fingerprint.js';
import { inspectCheckpoint } from './inspect.js';
import { committedCheckpointsOf } from './ownership.js';
import type { CheckpointStore } from './store.js';
import type { CheckpointMetadata, FileProblem, PipelineInfo } from './types.js';

export interface LoadCheckpointOptions {
  /** Throw `CheckpointDamagedError` at the first damaged checkpoint instead of falling back. */
  strict?: boolean;
  /** Load exactly this checkpoint; damage or absence then throws whatever `strict` says. */
  checkpoint?: number;
  /** Called once per damaged checkpoint that is skipped, with a message naming the files. */
  onWarning?: (message: string, problems: FileProblem[]) => void;
  /** The running pipeline: when its fingerprint differs from the checkpoint's, throw `PipelineChangedError`. */
  pipeline?: PipelineInfo;
  /** With `pipeline`, accept a different fingerprint (the differences go to `onWarning`). */
  allowPipelineChange?: boolean;
  /** When every committed checkpoint is damaged, return null (a fresh start) instead of throwing `AllCheckpointsDamagedError`. */
  freshIfAllDamaged?: boolean;
}

export interface LoadedCheckpoint {
  checkpoint: number;
  metadata: CheckpointMetadata;
  sources: Record<string, unknown>;
  states: Record<string, unknown | Table>;
  /** The pipeline description recorded in the commit marker. */
  pipeline: unknown;
  fingerprint: string;
  /** Newer committed checkpoints that were damaged and skipped, one entry per problem. */
  skipped: FileProblem[];
}

/** Committed checkpoint numbers that count (a fenced writer's commits do not), newest first. */
export async function committedCheckpoints(store: CheckpointStore): Promise<number[]> {
  return (await committedCheckpointsOf(store)).reverse();
}

/**
 * Loads the newest committed checkpoint whose files all match their commit marker and decode.
 * Damaged ones are reported (in `skipped` and through `onWarning`) and skipped for the previous
 * one, or refused with `CheckpointDamagedError` in strict mode. Returns null when there is none;
 * when there are some and all are damaged, throws `AllCheckpointsDamagedError` unless
 * `freshIfAllDamaged` chooses a fresh start. A read that fails (the store's error, after the
 * store's own retries) is not damage: it propagates, naming the file, and nothing is skipped.
 */
export async function loadCheckpoint(store: CheckpointStore, opts: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint | null> {
  const skipped: FileProblem[] = [];
  let candidates: number[];
  if (opts.checkpoint !== undefined) {
    const committed = await committedCheckpoints(store);
    if (!committed.includes(opts.checkpoint)) throw new CheckpointNotFoundError(opts.checkpoint, store.url);
    candidates = [opts.checkpoint];
  } else {
    candidates = await committedCheckpoints(store);
  }

  for (const n of candidates) {
    const result = await inspectCheckpoint(store, n, { decode: true });
    if (result.problems.length > 0 || !result.states || !result.metadata || !result.commit) {
      const problems = result.problems.length > 0 ? result.problems : [{ checkpoint: n, file: `commits/${n}.json`, reason: 'unreadable' }];
      if (opts.strict || opts.checkpoint !== undefined) throw new CheckpointDamagedError(problems, store.url);
      skipped.push(...problems);
      opts.onWarning?.(
        `checkpoint ${n} in ${store.url} is damaged, skipping it: ` + problems.map((p) => `${p.file}: ${p.reason}`).join('; '),
        problems,
      );
      continue;
    }
    const { metadata, commit, states } = result;
    if (opts.pipeline) {
      const running = opts.pipeline.fingerprint ?? pipelineFingerprint(opts.pipeline.description);
      if (running !== commit.fingerprint) {
        const diff = fingerprintDiff(commit.pipeline, opts.pipeline.description);
        const differences = diff.length > 0 ? diff : ['fingerprint differs (descriptions are equivalent)'];
        if (!opts.allowPipelineChange) throw new PipelineChangedError(differences, n);
        opts.onWarning?.(`pipeline changed since checkpoint ${n} (allowed): ${differences.join('; ')}`, []);
      }
    }
    return {
      checkpoint: n,
      metadata,
      sources: metadata.sources,
      states,
      pipeline: commit.pipeline,
      fingerprint: commit.fingerprint,
      skipped,
    };
  }
  if (skipped.length > 0 && !opts.freshIfAllDamaged) throw new AllCheckpointsDamagedError(skipped, store.url);
  return null;
}
