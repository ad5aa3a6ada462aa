import { sleep, type Clock } from './clock.js';
import { NodeError, preview, type ErrorPolicy, type FinalPolicy } from './errors.js';
import { log } from './log.js';
import type { Emitted, Meta } from './meta.js';
import type { NodeStats } from './stats.js';

/** What a policy needs of the node whose function threw. */
export interface FailingNode {
  readonly id: string;
  readonly clock: Clock;
  readonly stats: NodeStats | undefined;
}

/**
 * Apply `policy` to an exception `node`'s function threw on `x`. `redo` repeats the failed step
 * (function and push) for the retry policy; without it a retry policy gives up at once.
 */
export function applyPolicy(node: FailingNode, policy: ErrorPolicy, error: unknown, x: unknown, meta: Meta, redo?: () => Emitted): Emitted {
  if (typeof policy === 'object' && 'retry' in policy) {
    if (redo !== undefined) return retry(node, policy, error, x, meta, redo);
    return giveUp(node, policy.then ?? 'raise', error, x, meta);
  }
  return giveUp(node, policy, error, x, meta);
}

async function retry(
  node: FailingNode,
  p: { retry: number; backoffMs?: number; maxBackoffMs?: number; then?: FinalPolicy },
  error: unknown,
  x: unknown,
  meta: Meta,
  redo: () => Emitted,
): Promise<unknown> {
  let backoff = p.backoffMs ?? 100;
  for (let attempt = 1; attempt <= p.retry; attempt++) {
    log('info', 'retrying', { nodeId: node.id, attempt, backoffMs: backoff, error: String(error) });
    await sleep(node.clock, backoff);
    backoff = Math.min(backoff * 2, p.maxBackoffMs ?? 30_000);
    try {
      return await redo();
    } catch (e) {
      if (e instanceof NodeError) throw e; // a node further down failed: not ours to retry
      error = e;
    }
  }
  return giveUp(node, p.then ?? 'raise', error, x, meta);
}

function giveUp(node: FailingNode, p: FinalPolicy, error: unknown, x: unknown, meta: Meta): Emitted {
  if (node.stats !== undefined) {
    node.stats.errors++;
    if (typeof p === 'object') node.stats.deadLetters++;
  }
  if (p === 'raise') throw new NodeError(node.id, x, error);
  if (p === 'skip') {
    log('warn', 'skipped element after error', { nodeId: node.id, element: preview(x), error: String(error) });
    return undefined;
  }
  return p.deadLetter.emit({ error, element: x, nodeId: node.id }, meta);
}
