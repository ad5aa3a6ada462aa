/**
 * Node states in `data/N/<nodeId>.json`: JSON, with the values JSON cannot hold written as tagged
 * objects `{"$sf": tag, "v": ...}` so that a restore gives back exactly what was snapshotted:
 * NaN, ±Infinity, -0, undefined (in arrays and objects), holes in sparse arrays, BigInt, Date, Map,
 * Set, typed arrays and ArrayBuffer. A plain object that has a `$sf` key of its own is escaped as `{"$sf": "object"}`.
 * Anything else that is not plain data (a function, a symbol, a class instance, a cycle) is
 * refused with its path, instead of being silently turned into something else.
 * A large plain object whose values are all numbers (a per-key sum or count) is written as two
 * columns, `{"$sf": "numbers", "k": [keys], "v": base64 of little-endian float64s}`: for 100k keys,
 * parsing that and building the object takes ~30% less CPU than parsing the object itself (which
 * dominated a task's restore), and encoding it ~40% less.
 */
const TAG = '$sf';

/** A state that cannot be stored exactly; `path` locates the value (`$.items[3].when`). */
export class StateEncodingError extends Error {
  override name = 'StateEncodingError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${problem} at ${path}`);
  }
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;
type TypedArrayCtor = new (buffer: ArrayBuffer) => TypedArray;

const TYPED: Record<string, TypedArrayCtor> = Object.assign(Object.create(null) as Record<string, TypedArrayCtor>, {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
});

/** Plain objects of numbers with at least this many keys are written as columns (smaller ones stay readable). */
export const NUMBER_COLUMNS_MIN_KEYS = 1024;

const tagged = (tag: string, v?: unknown): Record<string, unknown> => (v === undefined ? { [TAG]: tag } : { [TAG]: tag, v });
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** A string, boolean or number that JSON holds exactly. */
const isJsonScalar = (x: unknown): boolean =>
  typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x) && !Object.is(x, -0));

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets `key` as an own data property (also `__proto__`, which plain assignment would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The JSON-able form of a state (see the module doc; it shares what needs no tag with `value`); throws `StateEncodingError`. */
export function encodeState(value: unknown): unknown {
  const ancestors = new Set<object>();
  const enc = (v: unknown, path: string): unknown => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isNaN(v)) return tagged('NaN');
        if (v === Infinity) return tagged('Infinity');
        if (v === -Infinity) return tagged('-Infinity');
        if (Object.is(v, -0)) return tagged('-0');
        return v;
      case 'undefined':
        return tagged('undefined');
      case 'bigint':
        return tagged('bigint', v.toString());
      case 'function':
      case 'symbol':
        throw new StateEncodingError(path, `a ${typeof v} cannot be checkpointed`);
    }
    if (v === null) return null;
    const o = v as object;
    if (ancestors.has(o)) throw new StateEncodingError(path, 'a cyclic reference cannot be checkpointed');
    ancestors.add(o);
    try {
      if (Array.isArray(o)) return Array.from(o, (x, i) => (i in o ? enc(x, `${path}[${i}]`) : tagged('hole')));
      if (o instanceof Date) return tagged('Date', enc(o.getTime(), path));
      if (o instanceof Map) return tagged('Map', Array.from(o, ([k, x], i) => [enc(k, `${path}.keys[${i}]`), enc(x, `${path}.get(${i})`)]));
      if (o instanceof Set) return tagged('Set', Array.from(o, (x, i) => enc(x, `${path}.values[${i}]`)));
      if (o instanceof ArrayBuffer) return tagged('ArrayBuffer', base64(new Uint8Array(o)));
      if (ArrayBuffer.isView(o) && !(o instanceof DataView) && o.constructor.name in TYPED) {
        return tagged(o.constructor.name, base64(new Uint8Array(o.buffer, o.byteOffset, o.byteLength)));
      }
      if (!isPlainObject(o)) {
        throw new StateEncodingError(path, `a ${o.constructor?.name ?? 'non-plain'} object cannot be checkpointed exactly (use plain objects, arrays, Map, Set, Date)`);
      }
      // Copied only from the first value that encodes differently: a large state of plain JSON
      // values is written as it is, with no copy and no path built per key.
      const record = o as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length >= NUMBER_COLUMNS_MIN_KEYS) {
        const columns = numberColumns(record, keys);
        if (columns !== undefined) return columns;
      }
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const x = record[keys[i]];
        const e = isJsonScalar(x) ? x : enc(x, `${path}.${keys[i]}`);
        if (e !== x && out === undefined) {
          out = {};
          for (let j = 0; j < i; j++) setOwn(out, keys[j], record[keys[j]]);
        }
        if (out !== undefined) setOwn(out, keys[i], e);
      }
      return Object.prototype.hasOwnProperty.call(o, TAG) ? tagged('object', out ?? record) : (out ?? record);
    } finally {
      ancestors.delete(o);
    }
  };
  return enc(value, '$');
}

/** `record` as a `numbers` tag, or undefined if a value is not a number. */
function numberColumns(record: Record<string, unknown>, keys: string[]): Record<string, unknown> | undefined {
  const bytes = new Uint8Array(keys.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < keys.length; i++) {
    const x = record[keys[i]];
    if (typeof x !== 'number') return undefined;
    view.setFloat64(i * 8, x, true);
  }
  return { [TAG]: 'numbers', k: keys, v: base64(bytes) };
}

/** Inverse of `numberColumns`: the plain object, its keys in their order (`__proto__` an own key). */
function fromNumberColumns(o: Record<string, unknown>): Record<string, number> {
  const { k: keys, v } = o;
  if (!Array.isArray(keys) || typeof v !== 'string') throw new Error('malformed numbers tag');
  const bytes = Buffer.from(v, 'base64');
  if (bytes.byteLength !== keys.length * 8) throw new Error(`malformed numbers tag: ${keys.length} keys, ${bytes.byteLength / 8} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, number> = {};
  for (let i = 0; i < keys.length; i++) {
    const key: unknown = keys[i];
    if (typeof key !== 'string') throw new Error('malformed numbers tag: a key is not a string');
    setOwn(out, key, view.getFloat64(i * 8, true));
  }
  return out;
}

function bytesOf(v: unknown, tag: string): Uint8Array {
  if (typeof v !== 'string') throw new Error(`malformed ${tag} tag`);
  const buf = Buffer.from(v, 'base64');
  const copy = new Uint8Array(buf.byteLength); // own, aligned buffer
  copy.set(buf);
  return copy;
}

/** A state's checkpoint file, encoded ahead of the write (at the cut, as its snapshot). */
export class EncodedState {
  constructor(readonly bytes: Uint8Array) {}
}

/** The bytes of a state's JSON checkpoint file; throws `StateEncodingError`. */
export function encodeStateBytes(state: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(encodeState(state)));
}

/**
 * Inverse of `encodeState`, for what `JSON.parse` returned: decodes in place, reusing its arrays
 * and objects (a large state of plain JSON values is not copied key by key); throws on a malformed tag.
 */
export function decodeState(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      if (x === null || typeof x !== 'object') continue;
      if (isHole(x)) delete value[i];
      else value[i] = decodeState(x);
    }
    return value;
  }
  const o = value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(o, TAG)) return decodeValues(o);
  const tag = o[TAG];
  const v = o.v;
  switch (tag) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    case 'undefined':
      return undefined;
    case 'bigint':
      if (typeof v !== 'string') throw new Error('malformed bigint tag');
      return BigInt(v);
    case 'Date':
      return new Date(decodeState(v) as number);
    case 'Map':
      if (!Array.isArray(v)) throw new Error('malformed Map tag');
      return new Map(v.map((e) => (Array.isArray(e) && e.length === 2 ? [decodeState(e[0]), decodeState(e[1])] : badEntry())));
    case 'Set':
      if (!Array.isArray(v)) throw new Error('malformed Set tag');
      return new Set(v.map(decodeState));
    case 'ArrayBuffer':
      return bytesOf(v, tag).buffer;
    case 'numbers':
      return fromNumberColumns(o);
    case 'object':
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('malformed object tag');
      return decodeValues(v as Record<string, unknown>);
  }
  const Ctor = typeof tag === 'string' ? TYPED[tag] : undefined;
  if (Ctor === undefined) throw new Error(`unknown state tag ${JSON.stringify(tag)}`);
  return new Ctor(bytesOf(v, String(tag)).buffer as ArrayBuffer);
}

/** A plain object's values decoded in place (its own keys, `__proto__` too, stay as JSON.parse made them). */
function decodeValues(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === null || typeof x !== 'object') continue;
    const d = decodeState(x);
    if (d !== x) setOwn(o, k, d);
  }
  return o;
}

const isHole = (x: unknown): boolean => x !== null && typeof x === 'object' && (x as Record<string, unknown>)[TAG] === 'hole';

function badEntry(): never {
  throw new Error('malformed Map entry');
}
