/** A checkpointed state that does not have the shape a node's `restore` takes. */
export class StateShapeError extends Error {
  override name = 'StateShapeError';
  constructor(
    readonly kind: string,
    readonly problem: string,
  ) {
    super(`${kind} cannot restore this state: ${problem}`);
  }
}

/** What a field of a state must be: `pairs` is an array of `[key, value]` arrays. */
export type FieldShape = 'array' | 'pairs' | 'arrays' | 'booleans' | 'number' | 'number|null' | 'boolean' | 'any';

const fits: Record<FieldShape, (v: unknown) => boolean> = {
  array: Array.isArray,
  pairs: (v) => Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2),
  arrays: (v) => Array.isArray(v) && v.every(Array.isArray),
  booleans: (v) => Array.isArray(v) && v.every((e) => typeof e === 'boolean'),
  number: (v) => typeof v === 'number',
  'number|null': (v) => v === null || typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  any: () => true,
};

/** Throws `StateShapeError` unless `state` is an object whose fields have these shapes (each node's `restore` starts with this). */
export function expectState(kind: string, state: unknown, fields: Record<string, FieldShape>): void {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new StateShapeError(kind, `expected an object, got ${Array.isArray(state) ? 'an array' : state === null ? 'null' : typeof state}`);
  for (const [name, shape] of Object.entries(fields)) {
    const v = (state as Record<string, unknown>)[name];
    if (!Object.hasOwn(state, name) || !fits[shape](v)) throw new StateShapeError(kind, `field "${name}" must be ${shape}, got ${JSON.stringify(v) ?? String(v)}`.slice(0, 300));
  }
}

/** Throws `StateShapeError` unless `state` is an Arrow table (tabular nodes' states). */
export function expectTable(kind: string, state: unknown): void {
  const t = state as { numRows?: unknown; schema?: { fields?: unknown } } | null;
  if (typeof t?.numRows !== 'number' || !Array.isArray(t.schema?.fields)) throw new StateShapeError(kind, `expected an Arrow table, got ${t === null ? 'null' : typeof t}`);
}
