import { describe, toDot, type GraphRoots } from '../core/graph.js';
import { kernel, svgImage } from './kernel.js';

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

/** Show the graph as SVG in tslab (an image, so exports keep it), or print its DOT elsewhere. */
export async function showGraph(graph: GraphRoots | string): Promise<void> {
  const k = kernel();
  const alt = typeof graph === 'string' ? 'pipeline graph' : `pipeline: ${describe(graph).nodes.map((n) => `${n.id} (${n.kind})`).join(', ')}`;
  if (k) k.display.html(svgImage(await toSvg(graph), alt));
  else process.stdout.write((typeof graph === 'string' ? graph : toDot(graph)) + '\n');
}
