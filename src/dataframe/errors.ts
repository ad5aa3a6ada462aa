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

/** A column asked for by name that is not there; `columns` are the ones that are, so a typo shows. */
export class NoColumnError extends Error {
  override readonly name = 'NoColumnError';
  readonly columns: readonly string[];
  constructor(
    readonly where: string,
    readonly column: string,
    columns: Iterable<string>,
  ) {
    const have = [...columns];
    super(`${where}: no column "${column}" (columns: ${have.join(', ')})`);
    this.columns = have;
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
