import { Stream, type StreamOptions } from './stream.js';
import type { AccumulateOptions } from './nodes/accumulate.js';
import type { PartitionOptions } from './nodes/partition.js';
import type { UniqueOptions } from './nodes/unique.js';
import type { Duration } from './duration.js';

/** A reusable piece of pipeline: takes a stream, returns the stream at its end. */
export type Operator<A, B> = (source: Stream<A>) => Stream<B>;

/** Compose operators in reading order into one typed operator. */
export function pipe<A, B>(o1: Operator<A, B>): Operator<A, B>;
export function pipe<A, B, C>(o1: Operator<A, B>, o2: Operator<B, C>): Operator<A, C>;
export function pipe<A, B, C, D>(o1: Operator<A, B>, o2: Operator<B, C>, o3: Operator<C, D>): Operator<A, D>;
export function pipe<A, B, C, D, E>(o1: Operator<A, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>): Operator<A, E>;
export function pipe<A, B, C, D, E, F>(o1: Operator<A, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>, o5: Operator<E, F>): Operator<A, F>;
export function pipe<A, B, C, D, E, F, G>(o1: Operator<A, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>, o5: Operator<E, F>, o6: Operator<F, G>): Operator<A, G>;
export function pipe<A, B, C, D, E, F, G, H>(o1: Operator<A, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>, o5: Operator<E, F>, o6: Operator<F, G>, o7: Operator<G, H>): Operator<A, H>;
export function pipe(...ops: Operator<any, any>[]): Operator<any, any> {
  return (source) => ops.reduce((s, op) => op(s), source);
}

declare module './stream.js' {
  interface Stream<T> {
    /** Apply operators in reading order: `s.pipe(map(f), filter(g))`. */
    pipe<B>(o1: Operator<T, B>): Stream<B>;
    pipe<B, C>(o1: Operator<T, B>, o2: Operator<B, C>): Stream<C>;
    pipe<B, C, D>(o1: Operator<T, B>, o2: Operator<B, C>, o3: Operator<C, D>): Stream<D>;
    pipe<B, C, D, E>(o1: Operator<T, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>): Stream<E>;
    pipe<B, C, D, E, F>(o1: Operator<T, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>, o5: Operator<E, F>): Stream<F>;
    pipe<B, C, D, E, F, G>(o1: Operator<T, B>, o2: Operator<B, C>, o3: Operator<C, D>, o4: Operator<D, E>, o5: Operator<E, F>, o6: Operator<F, G>): Stream<G>;
  }
}

Stream.prototype.pipe = function (this: Stream<any>, ...ops: Operator<any, any>[]) {
  return ops.reduce((s, op) => op(s), this);
} as Stream<any>['pipe'];

// Operators: the node methods as functions, for `pipe`.
export const map = <A, B>(fn: (x: A) => B, options?: StreamOptions): Operator<A, B> => (s) => s.map(fn, options);
export const filter = <A>(predicate: (x: A) => unknown, options?: StreamOptions): Operator<A, A> => (s) => s.filter(predicate, options);
export const starmap = <A extends readonly unknown[], B>(fn: (...args: A) => B, options?: StreamOptions): Operator<A, B> => (s) => s.starmap(fn, options);
export const mapAsync = <A, B>(fn: (x: A) => Promise<B> | B, options?: StreamOptions & { concurrency?: number }): Operator<A, B> => (s) => s.mapAsync(fn, options);
export const accumulate = <A, S>(fn: (state: S, x: A) => S, options: AccumulateOptions<S> & { start: S }): Operator<A, S> => (s) =>
  s.accumulate(fn, { ...options, returnsState: false });
export const pluck = <A, K extends keyof A>(key: K, options?: StreamOptions): Operator<A, A[K]> => (s) => s.pluck(key, options);
export const flatten = <A>(options?: StreamOptions): Operator<A[], A> => (s) => s.flatten(options) as Stream<A>;
export const slice = <A>(start?: number, end?: number, step?: number): Operator<A, A> => (s) => s.slice(start, end, step);
export const unique = <A>(options?: UniqueOptions<A>): Operator<A, A> => (s) => s.unique(options);
export const partition = <A>(n: number, options?: PartitionOptions<A>): Operator<A, A[]> => (s) => s.partition(n, options);
export const slidingWindow = <A>(n: number, options?: StreamOptions & { returnPartial?: boolean }): Operator<A, A[]> => (s) => s.slidingWindow(n, options);
export const timedWindow = <A>(ms: Duration, options?: StreamOptions): Operator<A, A[]> => (s) => s.timedWindow(ms, options);
export const delay = <A>(ms: Duration, options?: StreamOptions): Operator<A, A> => (s) => s.delay(ms, options);
export const rateLimit = <A>(ms: Duration, options?: StreamOptions): Operator<A, A> => (s) => s.rateLimit(ms, options);
export const buffer = <A>(n: number, options?: StreamOptions): Operator<A, A> => (s) => s.buffer(n, options);
export const latest = <A>(options?: StreamOptions): Operator<A, A> => (s) => s.latest(options);
