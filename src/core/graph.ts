import { createHash } from 'node:crypto';
import type { Stream } from './stream.js';

export interface NodeDescription {
  id: string;
  kind: string;
  params: Record<string, unknown>;
}

/** The stable description of a pipeline: what its checkpoints are valid for. */
export interface PipelineDescription {
  nodes: NodeDescription[];
  edges: [string, string][];
}

type AnyStream = Stream<any>;
/** One node, or several (a job's sources), whose connected graphs are taken together. */
export type GraphRoots = AnyStream | readonly AnyStream[];

/**
 * Every node connected to `start`, in a deterministic order: sources (no upstreams) by creation
 * order, then breadth-first along downstreams in connection order.
 */
export function walk(start: GraphRoots): AnyStream[] {
  const all = new Set<AnyStream>();
  const stack = Array.isArray(start) ? [...start] : [start as AnyStream];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (all.has(n)) continue;
    all.add(n);
    stack.push(...n.upstreams, ...n.downstreams);
  }
  const bySeq = (a: AnyStream, b: AnyStream) => a.seq - b.seq;
  const queue = [...all].filter((n) => n.upstreams.length === 0).sort(bySeq);
  const ordered = new Set<AnyStream>();
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    if (ordered.has(n)) continue;
    ordered.add(n);
    queue.push(...n.downstreams);
  }
  for (const n of [...all].sort(bySeq)) ordered.add(n); // nodes only reachable through a cycle
  return [...ordered];
}

/**
 * Ids of every node in the graph: the user's name, else `<kind>-<n>` for the n-th unnamed node of
 * that kind in the walk. Counting per kind keeps ids stable when a node of another kind is added
 * (one more `map` moves no accumulate's id, so its checkpointed state still matches).
 */
export function nodeIds(start: GraphRoots): Map<AnyStream, string> {
  const ids = new Map<AnyStream, string>();
  const seen = new Map<string, AnyStream>();
  const perKind = new Map<string, number>();
  for (const n of walk(start)) {
    let id = n.userName;
    if (id === undefined) {
      const k = perKind.get(n.kind) ?? 0;
      perKind.set(n.kind, k + 1);
      id = `${n.kind}-${k}`;
    }
    const other = seen.get(id);
    if (other !== undefined) throw new Error(`two nodes have the id "${id}" (${other.kind} and ${n.kind}); give them distinct names`);
    seen.set(id, n);
    ids.set(n, id);
  }
  return ids;
}

export function nodeId(node: AnyStream): string {
  return nodeIds(node).get(node)!;
}

export function describe(start: GraphRoots): PipelineDescription {
  const ids = nodeIds(start);
  const nodes: NodeDescription[] = [];
  const edges: [string, string][] = [];
  for (const [n, id] of ids) {
    nodes.push({ id, kind: n.kind, params: n.params() });
    for (const d of n.downstreams) edges.push([id, ids.get(d)!]);
  }
  return { nodes, edges };
}

/** JSON with object keys sorted, so equal descriptions hash equally. */
export function stableStringify(x: unknown): string {
  return JSON.stringify(x ?? null, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

export function fingerprintOf(description: unknown): string {
  return createHash('sha256').update(stableStringify(description)).digest('hex');
}

export function fingerprint(start: GraphRoots): string {
  return fingerprintOf(describe(start));
}

const SUMMARY_CHARS = 32;
const clip = (text: string, max: number) => (text.length <= max ? text : text.slice(0, max - 1) + '…');
const paramText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A node's label: its id, its kind (unless the id already says it), and its parameters cut to one short line. */
function label(n: NodeDescription): string {
  const summary = Object.entries(n.params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${clip(paramText(v), 16)}`)
    .join(' ');
  const autoId = n.id.startsWith(`${n.kind}-`);
  return [n.id, ...(autoId ? [] : [n.kind]), ...(summary ? [clip(summary, SUMMARY_CHARS)] : [])].join('\n');
}

/** The details a label leaves out, for the SVG tooltip: every parameter in full. */
function tooltip(n: NodeDescription): string {
  return [`${n.id} (${n.kind})`, ...Object.entries(n.params).map(([k, v]) => `${k} = ${paramText(v)}`)].join('\n');
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function toDot(start: GraphRoots): string {
  const d = describe(start);
  const lines = ['digraph pipeline {', '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];'];
  for (const n of d.nodes) lines.push(`  "${esc(n.id)}" [label="${esc(label(n))}", tooltip="${esc(tooltip(n))}"];`);
  for (const [a, b] of d.edges) lines.push(`  "${esc(a)}" -> "${esc(b)}";`);
  lines.push('}');
  return lines.join('\n');
}

export function toMermaid(start: GraphRoots): string {
  const d = describe(start);
  const key = new Map(d.nodes.map((n, i) => [n.id, `n${i}`]));
  const quote = (text: string) => text.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
  const lines = ['flowchart TD'];
  for (const n of d.nodes) lines.push(`  ${key.get(n.id)}["${quote(label(n))}"]`);
  for (const [a, b] of d.edges) lines.push(`  ${key.get(a)} --> ${key.get(b)}`);
  return lines.join('\n');
}

/**
 * Flush at the end of bounded input: every node whose sources are all exhausted gets
 * `endOfInput()`, upstream nodes first, and the graph is drained after each, so a partition's
 * last group reaches a collect below it before the collect flushes. Nodes fed by a source that
 * is still running (or by hand) are left alone.
 */
export async function flushEnded(start: GraphRoots): Promise<void> {
  const nodes = walk(start);
  const ended = new Set(nodes.filter((n) => n.upstreams.length === 0 && n.exhausted));
  // Least fixpoint: a node ends when all its upstreams have (a cycle never does).
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of nodes) {
      if (!ended.has(n) && n.upstreams.length > 0 && n.upstreams.every((u) => ended.has(u))) grew = ended.add(n) !== undefined;
    }
  }
  // Topological order (Kahn): a node flushes after everything above it.
  const waiting = new Map([...ended].map((n) => [n, n.upstreams.length]));
  const ready = [...ended].filter((n) => n.upstreams.length === 0);
  for (const n of ready) {
    const r = n.endOfInput();
    if (r) await r;
    await drain(start);
    for (const d of n.downstreams) {
      const left = waiting.get(d);
      if (left === undefined) continue;
      waiting.set(d, left - 1);
      if (left === 1) ready.push(d);
    }
  }
}

/** Every asynchronous node in the graph idle, repeated until nothing moves (draining one can feed another). */
export async function drain(start: GraphRoots): Promise<void> {
  for (;;) {
    const busy = walk(start).filter((n) => n.busy);
    if (busy.length === 0) return;
    await Promise.all(busy.map((n) => n.idle()));
  }
}
