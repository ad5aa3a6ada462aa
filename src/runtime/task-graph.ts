import { EventEmitter } from 'node:events';
import { Data, DataType, Field, RecordBatch, Schema, Table, Vector } from 'apache-arrow';
import { commitsWithCheckpoints, isStateful, Stream, walk, type CommitsWithCheckpoints, type Emitted, type Meta } from '../core/index.js';

/** Arrow values are immutable: copies may share them. */
const IMMUTABLE = [Table, Vector, Data, Schema, Field, DataType, RecordBatch, RegExp, WeakMap, WeakSet, Promise] as const;

/**
 * One task's copy of the graph below the sources of a partitioned job: an inlet that stands in
 * for each source, and a copy of every node downstream of them. A stateful node is copied deeply
 * from the job's template (which never sees an element, so every copy starts fresh and owns all
 * of its containers); any other node is copied shallowly, so copies share what such a node holds:
 * sinks' lists and files, Kafka producers, user functions.
 */
export class TaskGraph {
  /** The inlet of each source, in the order given. */
  readonly inlets: ReadonlyMap<Stream<any>, Stream<unknown>>;
  /** Each stateful copy with the id of its original (the id its state has in checkpoints). */
  readonly stateful: { node: Stream<any> & { snapshot(): unknown; restore(s: unknown): void }; id: string }[] = [];
  /** The stateful copies that publish output when a checkpoint commits (exactly-once sinks). */
  readonly committing: (Stream<any> & CommitsWithCheckpoints)[] = [];

  constructor(
    sources: Stream<any> | readonly Stream<any>[],
    templates: readonly Stream<any>[],
    ids: ReadonlyMap<Stream<any>, string>,
  ) {
    const list: readonly Stream<any>[] = Array.isArray(sources) ? sources : [sources as Stream<any>];
    const inlets = new Map(list.map((s) => [s, new Stream<unknown>()]));
    this.inlets = inlets;
    const copies = Stream.copyGraph(templates, copyField, (n) => {
      const inlet = inlets.get(n);
      if (inlet === undefined) throw new Error(`partitioned: node ${n} feeds the task graph but is not one of its sources`);
      return inlet;
    });
    for (const [original, copy] of copies) {
      if (isStateful(copy)) this.stateful.push({ node: copy, id: ids.get(original)! });
      if (commitsWithCheckpoints(copy)) this.committing.push(copy);
    }
  }

  /** The first source's inlet. */
  get inlet(): Stream<unknown> {
    return this.inlets.values().next().value!;
  }

  /** An element of `source` (default: the first) into this copy. */
  emit(x: unknown, meta: Meta, source?: Stream<any>): Emitted {
    return (source === undefined ? this.inlet : this.inlets.get(source)!).emit(x, meta);
  }

  /** Every node of this copy (to drain it or stop its timers). */
  nodes(): Stream<any>[] {
    return walk([...this.inlets.values()]);
  }
}

/** Every node downstream of the sources: what each task copies. */
export function downstreamOf(sources: Stream<any> | readonly Stream<any>[]): Stream<any>[] {
  const seen = new Set<Stream<any>>();
  const stack = (Array.isArray(sources) ? sources : [sources as Stream<any>]).flatMap((s) => s.downstreams);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.downstreams);
  }
  return [...seen];
}

function copyField(value: unknown, node: Stream<any>, copies: ReadonlyMap<Stream<any>, Stream<any>>): unknown {
  if (value instanceof Stream) return copies.get(value) ?? value;
  return isStateful(node) ? deepCopy(value, copies, new Map(), node) : value;
}

/** A clock is shared: timers of every task run on the job's time. */
function isClock(v: object): boolean {
  const c = v as { setTimeout?: unknown; now?: unknown };
  return typeof c.setTimeout === 'function' && typeof c.now === 'function';
}

function deepCopy(v: unknown, copies: ReadonlyMap<Stream<any>, Stream<any>>, seen: Map<object, unknown>, node: Stream<any>): unknown {
  if (v === null || typeof v !== 'object') return v; // primitives and functions
  if (v instanceof Stream) return copies.get(v) ?? v;
  if (IMMUTABLE.some((c) => v instanceof c) || Object.isFrozen(v) || isClock(v)) return v;
  if (v instanceof EventEmitter) {
    throw new Error(`partitioned: stateful node ${node} holds a ${v.constructor.name}, a resource that a per-task copy cannot duplicate; keep it in a node that is not stateful`);
  }
  const done = seen.get(v);
  if (done !== undefined) return done;
  const again = (x: unknown) => deepCopy(x, copies, seen, node);
  let copy: unknown;
  if (Buffer.isBuffer(v)) copy = Buffer.from(v);
  else if (ArrayBuffer.isView(v)) copy = (v as unknown as { slice(): unknown }).slice();
  else if (v instanceof ArrayBuffer) copy = v.slice(0);
  else if (v instanceof Date) copy = new Date(v.getTime());
  if (copy !== undefined) {
    seen.set(v, copy);
    return copy;
  }
  if (v instanceof Map) {
    const m = new Map();
    seen.set(v, m);
    for (const [k, x] of v) m.set(again(k), again(x));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set();
    seen.set(v, s);
    for (const x of v) s.add(again(x));
    return s;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    seen.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = again(v[i]);
    return a;
  }
  const o = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
  seen.set(v, o);
  for (const [k, x] of Object.entries(v)) o[k] = again(x);
  return o;
}
