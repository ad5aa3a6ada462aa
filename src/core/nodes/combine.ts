import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Signal } from '../signal.js';
import { Stream, type Push, type StreamOptions } from '../stream.js';
import { emitTaken } from './held.js';
import { expectState } from '../state-shape.js';

type Streams<U extends unknown[]> = { [K in keyof U]: Stream<U[K]> };
/** Elements of zip's arguments: a stream's element type, or a constant's own type. */
type Zipped<A extends unknown[]> = { [K in keyof A]: A[K] extends Stream<infer V> ? V : A[K] };

declare module '../stream.js' {
  interface Stream<T> {
    /** Pair up elements of this and other streams in order: one tuple when each has one waiting. */
    zip<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    zip<U extends unknown[]>(...args: [...Streams<U>, { maxsize?: number } & StreamOptions]): Stream<[T, ...U]>;
    /** With constants among the streams (not objects in last place, which are the options): they fill their place in every tuple. */
    zip<A extends unknown[]>(...args: A): Stream<[T, ...Zipped<A>]>;
    /** Every element of this stream, paired with the latest of each other stream (none is lost from this one). */
    zipLatest<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    /** The latest of every stream, whenever one of them (or one of `emitOn`) emits, once all have. */
    combineLatest<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    combineLatest<U extends unknown[]>(...args: [...Streams<U>, CombineLatestOptions]): Stream<[T, ...U]>;
    /** Merge elements of several streams of the same type into one. */
    union(...others: Stream<T>[]): Stream<T>;
  }
}

export interface CombineLatestOptions extends StreamOptions {
  /** Emit only when these inputs (streams, or their positions: 0 is the stream combineLatest was called on) update. */
  emitOn?: Stream<any> | number | (Stream<any> | number)[];
}

/**
 * Base for nodes that need to know which upstream an element came from. The position is looked
 * up per element, since connect and disconnect move inputs; `nth` tells apart `a.zip(a)`'s two.
 */
export abstract class MultiInput<T> extends Stream<T> {
  protected override entry(upstream: Stream<any>, nth: number): Push<any> {
    return (x, meta) => this.receive(nthIndex(this.upstreams, upstream, nth), x, meta);
  }
  protected abstract receive(index: number, x: unknown, meta: Meta): Emitted;
}

function nthIndex<X>(list: readonly X[], item: X, nth: number): number {
  let i = list.indexOf(item);
  for (let k = 0; k < nth; k++) i = list.indexOf(item, i + 1);
  return i;
}

interface Entry {
  x: unknown;
  meta: Meta;
}

export class ZipNode<T extends unknown[]> extends MultiInput<T> implements Stateful<{ buffers: unknown[][] }> {
  private buffers: Entry[][];
  private readonly room = new Signal();

  /** `literals`: constants and their places in the tuple (streamz's `zip(a, 123, b)`). */
  constructor(upstreams: Stream<any>[], readonly maxsize = 10, options?: StreamOptions, private readonly literals: [number, unknown][] = []) {
    super(options, upstreams);
    this.buffers = upstreams.map(() => []);
  }

  protected override upstreamAdded(index: number): void {
    this.buffers?.splice(index, 0, []); // unset while the constructor connects the first inputs
  }

  protected override upstreamRemoved(index: number): void {
    for (const e of this.buffers.splice(index, 1)[0]) releaseRefs(e.meta);
    this.room.notify();
  }

  override get kind(): string {
    return 'zip';
  }

  override params(): Record<string, unknown> {
    return { inputs: this.upstreams.length, maxsize: this.maxsize, ...(this.literals.length > 0 && { literals: this.literals }) };
  }

  protected receive(i: number, x: unknown, meta: Meta): Emitted {
    retainRefs(meta);
    const buffer = this.buffers[i];
    buffer.push({ x, meta });
    if (buffer.length === 1 && this.buffers.every((b) => b.length > 0)) {
      const heads = this.buffers.map((b) => b.shift()!);
      this.room.notify();
      const tuple = heads.map((e) => e.x);
      for (const [at, value] of this.literals) tuple.splice(at, 0, value);
      return emitTaken(this.out, tuple as T, mergeMeta(heads.map((e) => e.meta)));
    }
    if (buffer.length > this.maxsize) return this.room.wait(); // backpressure on the fast input
    return undefined;
  }

  /** An input is held back until the others catch up: only their elements can release it. */
  get waitingForInputs(): boolean {
    return this.room.waiting;
  }

  snapshot(): { buffers: unknown[][] } {
    return { buffers: this.buffers.map((b) => b.map((e) => e.x)) };
  }

  restore(s: { buffers: unknown[][] }): void {
    expectState(this.kind, s, { buffers: 'arrays' });
    this.buffers = s.buffers.map((b) => b.map((x) => ({ x, meta: undefined })));
  }
}

/** combineLatest and zipLatest: the latest element of each input, with its metadata retained until replaced. */
abstract class LatestOfEach<T extends unknown[]> extends MultiInput<T> {
  protected last: Entry[] = [];
  protected has: boolean[];

  constructor(upstreams: Stream<any>[], options?: StreamOptions) {
    super(options, upstreams);
    this.has = upstreams.map(() => false);
  }

  protected override upstreamAdded(index: number): void {
    if (this.has === undefined) return; // the constructor is connecting the first inputs
    this.has.splice(index, 0, false);
    this.last.splice(index, 0, { x: undefined, meta: undefined });
  }

  protected override upstreamRemoved(index: number): void {
    if (this.has[index]) releaseRefs(this.last[index].meta);
    this.has.splice(index, 1);
    this.last.splice(index, 1);
  }

  protected setLatest(i: number, x: unknown, meta: Meta): void {
    retainRefs(meta);
    if (this.has[i]) releaseRefs(this.last[i].meta);
    this.last[i] = { x, meta };
    this.has[i] = true;
  }

  protected tuple(): { value: T; meta: Meta } {
    return { value: this.last.map((e) => e.x) as T, meta: mergeMeta(this.last.map((e) => e.meta)) };
  }

  protected get complete(): boolean {
    return this.has.every(Boolean);
  }
}

export class CombineLatestNode<T extends unknown[]> extends LatestOfEach<T> implements Stateful<{ last: (unknown | null)[]; has: boolean[] }> {
  /** The inputs whose updates emit; undefined: every input, including ones connected later. */
  private readonly emitOn: Set<Stream<any>> | undefined;

  constructor(upstreams: Stream<any>[], emitOn: (Stream<any> | number)[] | undefined, options?: StreamOptions) {
    super(upstreams, options);
    if (emitOn !== undefined) {
      this.emitOn = new Set(emitOn.map((e) => (typeof e === 'number' ? inputAt(upstreams, e) : e)));
    }
  }

  override get kind(): string {
    return 'combineLatest';
  }

  override params(): Record<string, unknown> {
    return { inputs: this.upstreams.length, emitOn: this.upstreams.map((u) => this.emitOn?.has(u) ?? true) };
  }

  protected receive(i: number, x: unknown, meta: Meta): Emitted {
    this.setLatest(i, x, meta);
    if (!this.complete || (this.emitOn !== undefined && !this.emitOn.has(this.upstreams[i]))) return undefined;
    const { value, meta: m } = this.tuple();
    return this.out(value, m); // held metadata stays retained until replaced
  }

  snapshot(): { last: (unknown | null)[]; has: boolean[] } {
    return { last: this.has.map((h, i) => (h ? this.last[i].x : null)), has: [...this.has] };
  }

  restore(s: { last: (unknown | null)[]; has: boolean[] }): void {
    expectState(this.kind, s, { last: 'array', has: 'booleans' });
    this.has = [...s.has];
    this.last = s.last.map((x) => ({ x, meta: undefined }));
  }
}

export class ZipLatestNode<T extends unknown[]> extends LatestOfEach<T> implements Stateful<{ last: (unknown | null)[]; has: boolean[]; pending: unknown[] }> {
  private pending: Entry[] = [];

  override get kind(): string {
    return 'zipLatest';
  }

  override params(): Record<string, unknown> {
    return { inputs: this.upstreams.length };
  }

  protected receive(i: number, x: unknown, meta: Meta): Emitted {
    if (i === 0) {
      retainRefs(meta);
      this.pending.push({ x, meta });
      this.has[0] = true;
    } else {
      this.setLatest(i, x, meta);
    }
    if (!this.complete) return undefined;
    return this.emitPending();
  }

  private emitPending(): Emitted {
    const next = this.pending.shift();
    if (next === undefined) return undefined;
    this.last[0] = next;
    const { value, meta } = this.tuple();
    const r = this.out(value, meta);
    const rest = () => {
      releaseRefs(next.meta);
      return this.emitPending();
    };
    return r ? r.then(rest) : rest();
  }

  snapshot(): { last: (unknown | null)[]; has: boolean[]; pending: unknown[] } {
    return {
      last: this.has.map((h, i) => (h && i > 0 ? this.last[i].x : null)),
      has: [...this.has],
      pending: this.pending.map((e) => e.x),
    };
  }

  restore(s: { last: (unknown | null)[]; has: boolean[]; pending: unknown[] }): void {
    expectState(this.kind, s, { last: 'array', has: 'booleans', pending: 'array' });
    this.has = [...s.has];
    this.last = s.last.map((x) => ({ x, meta: undefined }));
    this.pending = s.pending.map((x) => ({ x, meta: undefined }));
  }
}

export class UnionNode<T> extends Stream<T> {
  override get kind(): string {
    return 'union';
  }
}

function inputAt(upstreams: Stream<any>[], i: number): Stream<any> {
  if (!Number.isInteger(i) || i < 0 || i >= upstreams.length) throw new RangeError(`combineLatest: emitOn ${i} is not an input position (0 to ${upstreams.length - 1})`);
  return upstreams[i];
}

/** The trailing options object, if the last argument is a plain object rather than a stream. */
function splitOptions<O extends object>(args: unknown[]): { rest: unknown[]; options: O | undefined } {
  const last = args[args.length - 1];
  const isOptions = typeof last === 'object' && last !== null && !(last instanceof Stream) && Object.getPrototypeOf(last) === Object.prototype;
  return isOptions ? { rest: args.slice(0, -1), options: last as O } : { rest: args, options: undefined };
}

Stream.prototype.zip = function (this: Stream<any>, ...args: unknown[]) {
  const { rest, options } = splitOptions<{ maxsize?: number } & StreamOptions>(args);
  const all = [this, ...rest];
  const literals = all.flatMap((x, i): [number, unknown][] => (x instanceof Stream ? [] : [[i, x]]));
  return new ZipNode(all.filter((x): x is Stream<any> => x instanceof Stream), options?.maxsize, options, literals);
} as unknown as Stream<any>['zip'];
Stream.prototype.zipLatest = function (this: Stream<any>, ...others: Stream<any>[]) {
  return new ZipLatestNode([this, ...others]);
} as unknown as Stream<any>['zipLatest'];
Stream.prototype.combineLatest = function (this: Stream<any>, ...args: unknown[]) {
  const { rest, options } = splitOptions<CombineLatestOptions>(args);
  const emitOn = options?.emitOn === undefined ? undefined : ([] as (Stream<any> | number)[]).concat(options.emitOn);
  return new CombineLatestNode([this, ...(rest as Stream<any>[])], emitOn, options);
} as unknown as Stream<any>['combineLatest'];
Stream.prototype.union = function (this: Stream<any>, ...others: Stream<any>[]) {
  return new UnionNode({}, [this, ...others]);
};
