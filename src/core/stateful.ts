/** A node whose state a checkpoint can take and give back. */
export interface Stateful<S = unknown> {
  snapshot(): S;
  restore(state: S): void;
}

export function isStateful(x: unknown): x is Stateful {
  const s = x as Partial<Stateful> | null;
  return typeof s?.snapshot === 'function' && typeof s.restore === 'function';
}

/** A source that can say where it is and go back there (an index, a byte offset, Kafka offsets). */
export interface Seekable<P = unknown> {
  position(): P;
  seek(position: P): void;
}

export function isSeekable(x: unknown): x is Seekable {
  const s = x as Partial<Seekable> | null;
  return typeof s?.position === 'function' && typeof s.seek === 'function';
}
