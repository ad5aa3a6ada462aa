/** An exception raised inside a node, carried back to whoever emitted the element. */
export class NodeError extends Error {
  constructor(
    readonly nodeId: string,
    readonly element: unknown,
    override readonly cause: unknown,
  ) {
    super(`node ${nodeId} failed on ${preview(element)}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NodeError';
  }
}

/** What a dead-letter stream receives. */
export interface DeadLetter<T = unknown> {
  error: unknown;
  element: T;
  nodeId: string;
}

/** A stream that can take dead letters; structural so `core/stream.ts` and this file do not import each other. */
export interface DeadLetterSink {
  emit(x: DeadLetter, meta?: import('./meta.js').Meta): import('./meta.js').Emitted;
}

export type FinalPolicy = 'raise' | 'skip' | { deadLetter: DeadLetterSink };

/**
 * What a node does when its function throws: raise (the default: the emit rejects with a
 * NodeError and nothing is released), skip (log, drop, release), route to a dead-letter stream,
 * or retry with exponential backoff on the node's clock and then fall back to one of those.
 */
export type ErrorPolicy =
  | FinalPolicy
  | { retry: number; backoffMs?: number; maxBackoffMs?: number; then?: FinalPolicy };

export function preview(x: unknown, max = 120): string {
  let s: string;
  try {
    s = typeof x === 'string' ? JSON.stringify(x) : (JSON.stringify(x) ?? String(x));
  } catch {
    s = String(x);
  }
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** An error's message, with its cause's when the message does not already include it. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error && !e.message.includes(cause.message) ? `${e.message} (${cause.message})` : e.message;
}
