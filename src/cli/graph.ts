import { writeFileSync } from 'node:fs';
import { toDot, toMermaid } from '../core/graph.js';
import { toSvg } from '../display/graph.js';
import { loadJob } from './run.js';
import { UsageError } from './usage.js';

export const GRAPH_HELP = `Usage:
  streamframe graph <job.ts|job.js> [--svg out.svg | --mermaid] [-- job arguments]

Builds the job's graph (its default export, as \`streamframe run\` does, without starting it) and
prints it as Graphviz DOT, or as Mermaid with --mermaid, or writes it as SVG with --svg (rendered
by Graphviz compiled to WebAssembly: no \`dot\` binary needed).
`;

export interface GraphArgs {
  positionals: string[];
  svg?: string;
  mermaid?: boolean;
}

export async function graphCommand(args: GraphArgs): Promise<number> {
  const [file, ...jobArgs] = args.positionals;
  if (file === undefined) throw new UsageError('graph needs a job file');
  if (args.svg !== undefined && args.mermaid) throw new UsageError('--svg and --mermaid exclude each other');
  const { sources } = await loadJob(file, { args: jobArgs });
  if (args.svg !== undefined) {
    writeFileSync(args.svg, await toSvg(sources));
    process.stdout.write(`wrote ${args.svg}\n`);
  } else process.stdout.write((args.mermaid ? toMermaid(sources) : toDot(sources)) + '\n');
  return 0;
}
