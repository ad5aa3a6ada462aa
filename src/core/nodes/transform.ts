import { preview } from '../errors.js';
import type { Emitted, Meta } from '../meta.js';
import { defineStep, type StepWriter } from '../fuse.js';
import { Stream, type StreamOptions, type Push } from '../stream.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Apply a function to every element. */
    map<U>(fn: (x: T) => U, options?: StreamOptions): Stream<U>;
    /** Apply a function to the unpacked elements of every tuple. */
    starmap<A extends readonly unknown[], U>(this: Stream<A>, fn: (...args: A) => U, options?: StreamOptions): Stream<U>;
    /** Pass on only elements for which the predicate is true (truthiness when none is given). */
    filter<S extends T>(predicate: (x: T) => x is S, options?: StreamOptions): Stream<S>;
    filter(predicate?: (x: T) => unknown, options?: StreamOptions): Stream<T>;
    /** Drop elements for which the predicate is true (the opposite of `filter`). */
    remove(predicate: (x: T) => unknown, options?: StreamOptions): Stream<T>;
    /** Pick a field (or index) of every element; several keys give a tuple. */
    pluck<K extends keyof T>(key: K, options?: StreamOptions): Stream<T[K]>;
    pluck<const K extends readonly (keyof T)[]>(keys: K, options?: StreamOptions): Stream<{ [I in keyof K]: T[K[I]] }>;
    /** Emit each item of every iterable element. */
    flatten<A extends Iterable<unknown>>(this: Stream<A>, options?: StreamOptions): Stream<A extends Iterable<infer U> ? U : never>;
  }
}

export class MapNode<In, Out> extends Stream<Out> {
  constructor(upstream: Stream<In>, readonly fn: (x: In) => Out, options?: StreamOptions) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'map';
  }
  override update(x: In, meta: Meta): Emitted {
    let y: Out;
    try {
      y = this.fn(x);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return this.out(y, meta);
  }
  /** The error policy for `fn` throwing on `x` (also called from fused chains). */
  failed(e: unknown, x: In, meta: Meta): Emitted {
    return this.fail(e, x, meta, () => this.out(this.fn(x), meta));
  }
}
defineStep(MapNode, { write: (n, w) => w.guarded(n, `${w.bind(n.fn)}(${w.x})`) });

export class StarmapNode<A extends readonly unknown[], Out> extends Stream<Out> {
  constructor(upstream: Stream<A>, readonly fn: (...args: A) => Out, options?: StreamOptions) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'starmap';
  }
  override update(x: A, meta: Meta): Emitted {
    let y: Out;
    try {
      y = this.fn(...x);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return this.out(y, meta);
  }
  failed(e: unknown, x: A, meta: Meta): Emitted {
    return this.fail(e, x, meta, () => this.out(this.fn(...x), meta));
  }
}
defineStep(StarmapNode, { write: (n, w) => w.guarded(n, `${w.bind(n.fn)}(...${w.x})`) });

export class FilterNode<T> extends Stream<T> {
  constructor(upstream: Stream<T>, readonly predicate: (x: T) => unknown, options?: StreamOptions) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'filter';
  }
  override update(x: T, meta: Meta): Emitted {
    let keep: unknown;
    try {
      keep = this.predicate(x);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return keep ? this.out(x, meta) : undefined;
  }
  failed(e: unknown, x: T, meta: Meta): Emitted {
    return this.fail(e, x, meta, () => (this.predicate(x) ? this.out(x, meta) : undefined));
  }
}
const filterStep = {
  write(n: FilterNode<unknown>, w: StepWriter): string {
    w.line(`if (!${w.guarded(n, `${w.bind(n.predicate)}(${w.x})`)}) return undefined;`);
    return w.x;
  },
};
defineStep(FilterNode, filterStep);

export class RemoveNode<T> extends FilterNode<T> {
  constructor(upstream: Stream<T>, readonly drop: (x: T) => unknown, options?: StreamOptions) {
    super(upstream, (x) => !drop(x), options);
  }
  override get kind(): string {
    return 'remove';
  }
  protected override reprArgs(): string[] {
    return this.drop.name === '' ? [] : [this.drop.name];
  }
}
defineStep(RemoveNode, filterStep);

export class PluckNode<T> extends Stream<unknown> {
  constructor(upstream: Stream<T>, readonly pick: PropertyKey | readonly PropertyKey[], options?: StreamOptions) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'pluck';
  }
  override params(): Record<string, unknown> {
    return { pick: Array.isArray(this.pick) ? this.pick.map(String) : String(this.pick) };
  }
  override update(x: T, meta: Meta): Emitted {
    let y: unknown;
    try {
      y = picked(x, this.pick);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return this.out(y, meta);
  }
  failed(e: unknown, x: T, meta: Meta): Emitted {
    return this.fail(e, x, meta);
  }
}
defineStep(PluckNode, { write: (n, w) => w.guarded(n, `${w.bind(picked)}(${w.x}, ${w.bind(n.pick)})`) });

function picked(x: unknown, pick: PropertyKey | readonly PropertyKey[]): unknown {
  return Array.isArray(pick) ? pick.map((k) => field(x, k)) : field(x, pick as PropertyKey);
}

/** `x[key]`, or an error when there is no such field (streamz raises KeyError / IndexError). */
function field(x: unknown, key: PropertyKey): unknown {
  if (x === null || x === undefined || !(key in Object(x))) throw new TypeError(`pluck: ${preview(x)} has no field ${String(key)}`);
  return (x as Record<PropertyKey, unknown>)[key];
}

export class FlattenNode<U> extends Stream<U> {
  constructor(upstream: Stream<Iterable<U>>, options?: StreamOptions) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'flatten';
  }
  override update(xs: Iterable<U>, meta: Meta): Emitted {
    let items: Iterator<U>;
    try {
      items = xs[Symbol.iterator](); // a non-iterable element goes through the error policy, as in pluck
    } catch (e) {
      return this.fail(e, xs, meta);
    }
    return emitEach(this.out, items, meta);
  }
}

/** Push items one after another, waiting for each asynchronous push before the next (backpressure). */
export function emitEach<U>(out: Push<U>, items: Iterator<U>, meta: Meta): Emitted {
  for (let n = items.next(); !n.done; n = items.next()) {
    const r = out(n.value, meta);
    if (r) return r.then(() => emitEach(out, items, meta));
  }
  return undefined;
}

const truthy = (x: unknown) => x;

Stream.prototype.map = function (this: Stream<any>, fn: (x: any) => any, options?: StreamOptions) {
  return new MapNode(this, fn, options);
};
Stream.prototype.starmap = function (this: Stream<any>, fn: (...args: any[]) => any, options?: StreamOptions) {
  return new StarmapNode(this, fn, options);
} as Stream<any>['starmap'];
Stream.prototype.filter = function (this: Stream<any>, predicate?: (x: any) => unknown, options?: StreamOptions) {
  return new FilterNode(this, predicate ?? truthy, options);
};
Stream.prototype.remove = function (this: Stream<any>, predicate: (x: any) => unknown, options?: StreamOptions) {
  return new RemoveNode(this, predicate, options);
};
Stream.prototype.pluck = function (this: Stream<any>, pick: PropertyKey | readonly PropertyKey[], options?: StreamOptions) {
  return new PluckNode(this, pick, options);
} as Stream<any>['pluck'];
Stream.prototype.flatten = function (this: Stream<any>, options?: StreamOptions) {
  return new FlattenNode(this, options);
} as Stream<any>['flatten'];
