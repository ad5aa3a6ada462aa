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
