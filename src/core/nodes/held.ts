import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import { afterEmit, type Push } from '../stream.js';

/** Elements a node keeps for later, with their metadata retained until they leave. */
export class Held<T> {
  items: T[] = [];
  private metas: Meta[] = [];
  private tracked = 0;

  get length(): number {
    return this.items.length;
  }

  push(x: T, meta: Meta): void {
    this.items.push(x);
    this.metas.push(meta);
    if (meta !== undefined) {
      retainRefs(meta);
      this.tracked++;
    }
  }

  /** Take everything held: the items and their merged metadata (still retained by the caller now). */
  take(): { items: T[]; meta: Meta } {
    const items = this.items;
    const meta = this.tracked > 0 ? mergeMeta(this.metas) : undefined;
    this.items = [];
    this.metas = [];
    this.tracked = 0;
    return { items, meta };
  }

  /** Forget the oldest element, releasing its metadata. */
  dropFirst(): T | undefined {
    const x = this.items.shift();
    const meta = this.metas.shift();
    if (meta !== undefined) {
      releaseRefs(meta);
      this.tracked--;
    }
    return x;
  }

  /** Replace the contents (restore from a checkpoint: restored elements carry no metadata). */
  reset(items: T[]): void {
    this.take();
    this.items = [...items];
    this.metas = items.map(() => undefined);
  }
}

/** Push a group of taken elements and release their metadata once the push settles. */
export function emitTaken<T>(out: Push<T>, value: T, meta: Meta): Emitted {
  if (meta === undefined) return out(value, undefined);
  return afterEmit(out(value, meta), () => releaseRefs(meta));
}

/**
 * One element per key, the first or the last seen (`partitionUnique`, `timedWindowUnique`), with
 * metadata retained while held. Keep 'last' moves a replaced key to the end, as streamz does.
 */
export class HeldByKey<T> {
  private byKey = new Map<unknown, { x: T; meta: Meta }>();

  constructor(readonly keep: 'first' | 'last') {}

  get size(): number {
    return this.byKey.size;
  }

  add(k: unknown, x: T, meta: Meta): void {
    const old = this.byKey.get(k);
    if (old !== undefined) {
      if (this.keep === 'first') return; // the duplicate is dropped here
      this.byKey.delete(k);
      releaseRefs(old.meta);
    }
    retainRefs(meta);
    this.byKey.set(k, { x, meta });
  }

  take(): { items: T[]; meta: Meta } {
    const entries = [...this.byKey.values()];
    this.byKey = new Map();
    return { items: entries.map((e) => e.x), meta: mergeMeta(entries.map((e) => e.meta)) };
  }

  snapshot(): [unknown, T][] {
    return [...this.byKey].map(([k, v]) => [k, v.x]);
  }

  restore(items: [unknown, T][]): void {
    this.byKey = new Map(items.map(([k, x]) => [k, { x, meta: undefined }]));
  }
}
