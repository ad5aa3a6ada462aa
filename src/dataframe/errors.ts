/** Errors raised when a batch does not fit the stream's example schema. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
  constructor(
    readonly column: string,
    readonly expected: string,
    readonly actual: string,
    detail?: string,
  ) {
    super(`column "${column}": expected ${expected}, got ${actual}${detail ? ` ${detail}` : ''}`);
  }
}

/** A batch whose columns have different lengths. */
export class RaggedBatchError extends Error {
  override readonly name = 'RaggedBatchError';
  constructor(readonly lengths: Record<string, number>) {
    const parts = Object.entries(lengths).map(([k, n]) => `"${k}" has ${n}`);
    super(`ragged batch: columns have different lengths (${parts.join(', ')} rows)`);
  }
}
