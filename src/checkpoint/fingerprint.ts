import { fingerprintOf, stableStringify, type PipelineDescription } from '../core/graph.js';

export type { PipelineDescription };
/** JSON with object keys sorted at every level: the pipeline fingerprint hashes this text. */
export const canonicalJson = stableStringify;
/** sha256 (hex) of the canonical JSON of a pipeline description (the same function the graph uses). */
export const pipelineFingerprint = fingerprintOf;

function isDescription(d: unknown): d is PipelineDescription {
  if (d === null || typeof d !== 'object') return false;
  const { nodes, edges } = d as Record<string, unknown>;
  return (
    Array.isArray(nodes) &&
    nodes.every((n) => n !== null && typeof n === 'object' && typeof (n as { id: unknown }).id === 'string') &&
    Array.isArray(edges) &&
    edges.every((e) => Array.isArray(e) && e.length === 2)
  );
}

const show = (v: unknown): string => (v === undefined ? 'unset' : canonicalJson(v));

/**
 * Human-readable differences between two pipeline descriptions, `a` the old (checkpointed) one and
 * `b` the new (running) one: added/removed nodes, changed kinds and parameters, added/removed
 * edges. Empty when they are equivalent.
 */
export function fingerprintDiff(a: unknown, b: unknown): string[] {
  if (!isDescription(a) || !isDescription(b)) {
    return canonicalJson(a) === canonicalJson(b) ? [] : ['pipeline description changed (not in the nodes/edges form, no details)'];
  }
  const out: string[] = [];
  const oldNodes = new Map(a.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(b.nodes.map((n) => [n.id, n]));
  for (const [id, n] of oldNodes) if (!newNodes.has(id)) out.push(`node "${id}" (${n.kind}) removed`);
  for (const [id, n] of newNodes) if (!oldNodes.has(id)) out.push(`node "${id}" (${n.kind}) added`);
  for (const [id, o] of oldNodes) {
    const n = newNodes.get(id);
    if (!n) continue;
    if (o.kind !== n.kind) out.push(`node "${id}": kind changed from ${o.kind} to ${n.kind}`);
    const op = o.params ?? {};
    const np = n.params ?? {};
    const keys = [...new Set([...Object.keys(op), ...Object.keys(np)])].sort();
    for (const k of keys) {
      if (canonicalJson(op[k]) !== canonicalJson(np[k])) {
        out.push(`node "${id}": parameter ${k} changed from ${show(op[k])} to ${show(np[k])}`);
      }
    }
  }
  const edgeKey = (e: [string, string]): string => JSON.stringify(e);
  const oldEdges = new Set(a.edges.map(edgeKey));
  const newEdges = new Set(b.edges.map(edgeKey));
  for (const e of a.edges) if (!newEdges.has(edgeKey(e))) out.push(`edge ${e[0]} -> ${e[1]} removed`);
  for (const e of b.edges) if (!oldEdges.has(edgeKey(e))) out.push(`edge ${e[0]} -> ${e[1]} added`);
  if (out.length === 0 && canonicalJson(a) !== canonicalJson(b)) {
    out.push('pipeline description changed (node order or other fields)');
  }
  return out;
}
