/** How a node groups elements: a function of the element, or one of its fields. */
export type KeySpec<T> = ((x: T) => unknown) | keyof T;

/**
 * Keys compare by value, as Python's hashable tuples do in streamz: arrays and plain objects are
 * keyed by their JSON text, everything else by itself. The result is JSON-safe for checkpoints.
 */
export function valueKey(k: unknown): unknown {
  return k !== null && typeof k === 'object' ? JSON.stringify(k) : k;
}

/** The key of an element under a spec; `null` when there is no spec (one group). */
export function keyOf<T>(spec: KeySpec<T> | undefined, x: T): unknown {
  if (spec === undefined) return null;
  return valueKey(typeof spec === 'function' ? spec(x) : x[spec]);
}

/** The key of an element under a spec; the element itself (by value) when there is no spec. */
export function keyOrSelf<T>(spec: KeySpec<T> | undefined, x: T): unknown {
  return spec === undefined ? valueKey(x) : keyOf(spec, x);
}
