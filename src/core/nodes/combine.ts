import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Signal } from '../signal.js';
import { Stream, type Push, type StreamOptions } from '../stream.js';
import { emitTaken } from './held.js';
import { expectState } from '../state-shape.js';

type Streams<U extends unknown[]> = { [K in keyof U]: Stream<U[K]> };

declare module '../stream.js' {
  interface Stream<T> {
    /** Pair up elements of this and other streams in order: one tuple when each has one waiting. */
    zip<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    zip<U extends unknown[]>(...args: [...Streams<U>, { maxsize?: number } & StreamOptions]): Stream<[T, ...U]>;
    /** Every element of this stream, paired with the latest of each other stream (none is lost from this one). */
    zipLatest<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    /** The latest of every stream, whenever one of them (or one of `emitOn`) emits, once all have. */
    combineLatest<U extends unknown[]>(...others: Streams<U>): Stream<[T, ...U]>;
    combineLatest<U extends unknown[]>(...args: [...Streams<U>, { emitOn?: Stream<any> | Stream<any>[] } & StreamOptions]): Stream<[T, ...U]>;
    /** Merge elements of several streams of the same type into one. */
    union(...others: Stream<T>[]): Stream<T>;
  }
}

/** Base for nodes that need to know which upstream an element came from. */
abstract class MultiInput<T> extends Stream<T> {
  protected override entry(upstream: Stream<any>): Push<any> {
    return (x, meta) => this.receive(this.upstreams.indexOf(upstream), x, meta);
  }
  protected abstract receive(index: number, x: unknown, meta: Meta): Emitted;
}

interface Entry {
  x: unknown;
  meta: Meta;
}

export class ZipNode<T extends unknown[]> extends MultiInput<T> implements Stateful<{ buffers: unknown[][] }> {
  private buffers: Entry[][];
  private readonly room = new Signal();

  constructor(upstreams: Stream<any>[], readonly maxsize = 10, options?: StreamOptions) {
    super(options, upstreams);
    this.buffers = upstreams.map(() => []);
  }

  override get kind(): string {
    return 'zip';
  }

  override params(): Record<string, unknown> {
    return { inputs: this.upstreams.length, maxsize: this.maxsize };
  }

  protected receive(i: number, x: unknown, meta: Meta): Emitted {
    retainRefs(meta);
    const buffer = this.buffers[i];
    buffer.push({ x, meta });
    if (buffer.length === 1 && this.buffers.every((b) => b.length > 0)) {
      const heads = this.buffers.map((b) => b.shift()!);
      this.room.notify();
      return emitTaken(this.out, heads.map((e) => e.x) as T, mergeMeta(heads.map((e) => e.meta)));
    }
    if (buffer.length > this.maxsize) return this.room.wait(); // backpressure on the fast input
    return undefined;
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
  private readonly emitOn: Set<Stream<any>>;

  constructor(upstreams: Stream<any>[], emitOn: Stream<any>[] | undefined, options?: StreamOptions) {
    super(upstreams, options);
    this.emitOn = new Set(emitOn ?? upstreams);
  }

  override get kind(): string {
    return 'combineLatest';
  }

  override params(): Record<string, unknown> {
    return { inputs: this.upstreams.length, emitOn: this.upstreams.map((u) => this.emitOn.has(u)) };
  }

  protected receive(i: number, x: unknown, meta: Meta): Emitted {
    this.setLatest(i, x, meta);
    if (!this.complete || !this.emitOn.has(this.upstreams[i])) return undefined;
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

function splitOptions<O extends object>(args: unknown[]): { streams: Stream<any>[]; options: O | undefined } {
  const last = args[args.length - 1];
  if (last instanceof Stream || last === undefined) return { streams: args as Stream<any>[], options: undefined };
  return { streams: args.slice(0, -1) as Stream<any>[], options: last as O };
}

Stream.prototype.zip = function (this: Stream<any>, ...args: unknown[]) {
  const { streams, options } = splitOptions<{ maxsize?: number } & StreamOptions>(args);
  return new ZipNode([this, ...streams], options?.maxsize, options);
} as unknown as Stream<any>['zip'];
Stream.prototype.zipLatest = function (this: Stream<any>, ...others: Stream<any>[]) {
  return new ZipLatestNode([this, ...others]);
} as unknown as Stream<any>['zipLatest'];
Stream.prototype.combineLatest = function (this: Stream<any>, ...args: unknown[]) {
  const { streams, options } = splitOptions<{ emitOn?: Stream<any> | Stream<any>[] } & StreamOptions>(args);
  const emitOn = options?.emitOn === undefined ? undefined : ([] as Stream<any>[]).concat(options.emitOn);
  return new CombineLatestNode([this, ...streams], emitOn, options);
} as unknown as Stream<any>['combineLatest'];
Stream.prototype.union = function (this: Stream<any>, ...others: Stream<any>[]) {
  return new UnionNode({}, [this, ...others]);
};
