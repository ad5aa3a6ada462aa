import { toDot, type GraphRoots } from '../core/graph.js';
import { kernel } from './kernel.js';

type Viz = { renderString(dot: string, options: { format: 'svg' }): string };
let viz: Promise<Viz> | undefined;

/**
 * A graph (a stream, a job's sources, or DOT text) rendered to SVG by Graphviz compiled to
 * WebAssembly (`@viz-js/viz`): no `dot` binary and no network needed. Loaded on first use.
 */
export async function toSvg(graph: GraphRoots | string): Promise<string> {
  const dot = typeof graph === 'string' ? graph : toDot(graph);
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  // Drop the XML prolog and DOCTYPE: the SVG is embedded in HTML and notebooks as it is.
  return (await viz).renderString(dot, { format: 'svg' }).replace(/^[\s\S]*?(?=<svg)/, '');
}

/** Show the graph as SVG in tslab, or print its DOT elsewhere. */
export async function showGraph(graph: GraphRoots | string): Promise<void> {
  const k = kernel();
  if (k) k.display.svg(await toSvg(graph));
  else process.stdout.write((typeof graph === 'string' ? graph : toDot(graph)) + '\n');
}
