import type { RefCounter } from './ref-counter.js';

/** One entry of an element's metadata list (streamz's `metadata`): `ref` is the reference counter a source attached. */
export interface MetaEntry {
  readonly ref?: RefCounter;
  readonly [key: string]: unknown;
}

/** The metadata travelling with one element; `undefined` on the fast path (no source is tracking it). */
export type Meta = readonly MetaEntry[] | undefined;

/** What pushing an element returns: nothing when every node downstream is synchronous, else a promise to await. */
export type Emitted = void | Promise<unknown>;

export function retainRefs(meta: Meta): void {
  if (meta === undefined) return;
  for (const m of meta) m.ref?.retain();
}

export function releaseRefs(meta: Meta): void {
  if (meta === undefined) return;
  for (const m of meta) m.ref?.release();
}

/** Metadata of several held elements merged into one list (zip, partition, collect, windows). */
export function mergeMeta(metas: readonly Meta[]): Meta {
  let out: MetaEntry[] | undefined;
  for (const m of metas) {
    if (m === undefined || m.length === 0) continue;
    (out ??= []).push(...m);
  }
  return out;
}

/** Combine the results of several pushes into one: undefined if all were synchronous. */
export function joinEmitted(results: readonly Emitted[]): Emitted {
  let promises: Promise<unknown>[] | undefined;
  for (const r of results) if (r) (promises ??= []).push(r);
  if (promises === undefined) return undefined;
  return promises.length === 1 ? promises[0] : Promise.all(promises);
}

export function isPromise(x: unknown): x is Promise<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}
