import fc from 'fast-check';

/** Keys that break naive `obj[key] = …` code, besides ordinary strings. */
export const trickyKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString', '$sf', 'hasOwnProperty'));

/**
 * Arbitrary state values: JSON, and everything a checkpoint must keep exactly besides (NaN,
 * ±Infinity, -0, BigInt, Date, Map, Set, typed arrays, undefined, sparse arrays), with keys such
 * as `__proto__`.
 */
export const stateValue: fc.Arbitrary<unknown> = fc.anything({
  key: trickyKey,
  maxDepth: 3,
  maxKeys: 4,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: false,
  withBoxedValues: false,
  withObjectString: false,
});

/**
 * Where `a` and `b` differ, or undefined when they are the same value: `Object.is` on primitives
 * (so NaN = NaN, -0 ≠ 0), same prototype, own keys in the same order (also `__proto__`,
 * `constructor`, whose values `toStrictEqual` mistakes for the prototype's), array holes, Map and
 * Set entries in order, Date times, typed-array types and bytes.
 */
export function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different prototypes`;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) ? undefined : `${path}: dates differ`;
  if (a instanceof Map || a instanceof Set) {
    const x = [...a.entries()];
    const y = [...(b as Map<unknown, unknown>).entries()];
    return x.length !== y.length ? `${path}: sizes differ` : difference(x, y, path);
  }
  if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) {
    const bytes = (v: object) => Buffer.from(v instanceof ArrayBuffer ? v : (v as ArrayBufferView).buffer.slice((v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteOffset + (v as ArrayBufferView).byteLength));
    return bytes(a).equals(bytes(b)) ? undefined : `${path}: bytes differ`;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return `${path}: lengths ${a.length} vs ${bb.length}`;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in bb) return `${path}[${i}]: hole vs value`;
      const d = difference(a[i], bb[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return `${path}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
