/** Growable circular buffers indexed by absolute sequence numbers (power-of-two capacity). */
export class SeqRing {
  buf: Float64Array;
  mask: number;
  head = 0; // seq of oldest element
  tail = 0; // seq one past newest
  constructor(cap = 16) {
    let c = 16;
    while (c < cap) c *= 2;
    this.buf = new Float64Array(c);
    this.mask = c - 1;
  }
  get size(): number {
    return this.tail - this.head;
  }
  at(seq: number): number {
    return this.buf[seq & this.mask];
  }
  front(): number {
    return this.buf[this.head & this.mask];
  }
  back(): number {
    return this.buf[(this.tail - 1) & this.mask];
  }
  push(v: number): void {
    if (this.tail - this.head === this.buf.length) this.growTo(this.buf.length * 2);
    this.buf[this.tail & this.mask] = v;
    this.tail++;
  }
  shift(): number {
    return this.buf[this.head++ & this.mask];
  }
  pop(): number {
    return this.buf[--this.tail & this.mask];
  }
  /** Values oldest first. */
  toArray(): Float64Array {
    const out = new Float64Array(this.size);
    for (let s = this.head, i = 0; s < this.tail; s++, i++) out[i] = this.buf[s & this.mask];
    return out;
  }
  private growTo(cap: number): void {
    const b = new Float64Array(cap);
    for (let s = this.head; s < this.tail; s++) b[s & (cap - 1)] = this.buf[s & this.mask];
    this.buf = b;
    this.mask = cap - 1;
  }
}
