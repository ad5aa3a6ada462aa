import type { FileProblem } from './types.js';

/** A checkpoint whose files are missing, truncated or do not match their commit marker. */
export class CheckpointDamagedError extends Error {
  override name = 'CheckpointDamagedError';
  readonly checkpoint: number;
  /** The first damaged file (relative path). */
  readonly file: string;
  readonly problems: FileProblem[];
  constructor(problems: FileProblem[], where = '') {
    const first = problems[0];
    super(
      `Checkpoint ${first.checkpoint}${where ? ` in ${where}` : ''} is damaged: ` +
        problems.map((p) => `${p.file}: ${p.reason}`).join('; '),
    );
    this.checkpoint = first.checkpoint;
    this.file = first.file;
    this.problems = problems;
  }
}

/** The running pipeline is not the one that wrote the checkpoint. */
export class PipelineChangedError extends Error {
  override name = 'PipelineChangedError';
  constructor(
    readonly differences: string[],
    readonly checkpoint?: number,
  ) {
    super(
      `The pipeline differs from the one that wrote checkpoint${checkpoint !== undefined ? ` ${checkpoint}` : ''}:\n` +
        differences.map((d) => `  - ${d}`).join('\n') +
        '\n(allow pipeline changes to restore anyway)',
    );
  }
}

/** A specific checkpoint was asked for and has no commit marker. */
export class CheckpointNotFoundError extends Error {
  override name = 'CheckpointNotFoundError';
  constructor(
    readonly checkpoint: number,
    where = '',
  ) {
    super(`Checkpoint ${checkpoint}${where ? ` in ${where}` : ''} is not committed (no commits/${checkpoint}.json)`);
  }
}

/** Writing checkpoint N failed: names the checkpoint, the file and, for a state file, the node. */
export class CheckpointWriteError extends Error {
  override name = 'CheckpointWriteError';
  constructor(
    readonly checkpoint: number,
    readonly file: string,
    readonly nodeId: string | undefined,
    where: string,
    cause: unknown,
  ) {
    const what = nodeId === undefined ? file : `the state of node "${nodeId}" (${file})`;
    super(`Checkpoint ${checkpoint} in ${where}: writing ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
