/** A binary min-heap under `before` (the next item to come out on top). */
export class MinHeap<X> {
  private readonly items: X[] = [];

  constructor(private readonly before: (a: X, b: X) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The least item, or undefined when empty. */
  peek(): X | undefined {
    return this.items[0];
  }

  /** Every item, in no particular order. */
  all(): readonly X[] {
    return this.items;
  }

  push(x: X): void {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) return;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): X | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0) return top;
    h[0] = last!;
    for (let i = 0; ; ) {
      let least = i;
      for (const child of [2 * i + 1, 2 * i + 2]) if (child < h.length && this.before(h[child], h[least])) least = child;
      if (least === i) return top;
      [h[i], h[least]] = [h[least], h[i]];
      i = least;
    }
  }
}
