#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CHECKPOINTS_HELP, checkpointsCommand } from './checkpoints.js';
import { DEMO_HELP, runDemo } from './demo.js';
import { GRAPH_HELP, graphCommand } from './graph.js';
import { RUN_HELP, runCommand } from './run.js';
import { UsageError } from './usage.js';

const HELP = `streamframe — stateful stream processing in the style of streamz

Usage:
  streamframe demo [--checkpoint DIR|S3-URL] [--batches N] [--kafka BROKERS --topic T]
                                               the main job: live aggregations over a built-in source, checkpointed (npm start)
  streamframe run <job> [--checkpoint DIR|S3-URL] [--every 1000|10s] [--metrics-port P]
                                               run a job module's graph with checkpoints (--help for details)
  streamframe graph <job> [--svg out.svg]      print a job's graph as DOT (or write SVG)
  streamframe checkpoints list|show|verify|prune ...   inspect and prune a checkpoint store (--help for details)
  streamframe --help                           this text
  streamframe --version                        the package version
`;

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

/** The options are parsed for every command at once; one meant for another command is an error here. */
function onlyOptions(values: Record<string, unknown>, command: string, allowed: string[]): void {
  const extra = Object.keys(values).find((k) => values[k] !== undefined && !allowed.includes(k));
  if (extra !== undefined) throw new UsageError(`${command} does not take --${extra}`);
}

/** parseArgs' errors in our own words: the option, and what is wrong with it. */
function argumentError(e: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return /argument missing/.test(e.message) ? `${option} needs a value` : `${option} takes no value`;
  return e.message.split('\n')[0];
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        batches: { type: 'string' },
        kafka: { type: 'string' },
        topic: { type: 'string' },
        every: { type: 'string' },
        json: { type: 'boolean' },
        keep: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        checkpoint: { type: 'string' },
        'metrics-port': { type: 'string' },
        svg: { type: 'string' },
        mermaid: { type: 'boolean' },
        strict: { type: 'boolean' },
        'allow-pipeline-change': { type: 'boolean' },
        'fresh-if-all-damaged': { type: 'boolean' },
        'no-typecheck': { type: 'boolean' },
        state: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError(argumentError(e as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (values.version) {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
    return 0;
  }
  const [command, ...rest] = positionals;
  switch (command) {
    case undefined:
      process.stdout.write(HELP);
      return 0;
    case 'demo':
      if (values.help) return process.stdout.write(DEMO_HELP), 0;
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      onlyOptions(values, 'demo', ['checkpoint', 'batches', 'kafka', 'topic', 'endpoint', 'region']);
      if ((values.kafka === undefined) !== (values.topic === undefined)) throw new UsageError('demo takes --kafka and --topic together');
      await runDemo({
        kafka: values.kafka === undefined ? undefined : { brokers: values.kafka.split(','), topic: values.topic! },
        checkpoint: values.checkpoint,
        storeOptions: { endpoint: values.endpoint, region: values.region },
        batches: values.batches === undefined ? undefined : positiveInt('batches', values.batches),
      });
      return 0;
    case 'run':
      if (values.help) return process.stdout.write(RUN_HELP), 0;
      onlyOptions(values, 'run', ['checkpoint', 'every', 'metrics-port', 'endpoint', 'region', 'strict', 'allow-pipeline-change', 'fresh-if-all-damaged', 'no-typecheck']);
      return runCommand({
        positionals: rest,
        checkpoint: values.checkpoint,
        every: values.every,
        metricsPort: values['metrics-port'],
        endpoint: values.endpoint,
        region: values.region,
        strict: values.strict,
        allowPipelineChange: values['allow-pipeline-change'],
        freshIfAllDamaged: values['fresh-if-all-damaged'],
        typecheck: !values['no-typecheck'],
      });
    case 'graph':
      if (values.help) return process.stdout.write(GRAPH_HELP), 0;
      onlyOptions(values, 'graph', ['svg', 'mermaid']);
      return graphCommand({ positionals: rest, svg: values.svg, mermaid: values.mermaid });
    case 'checkpoints':
      if (values.help) return process.stdout.write(CHECKPOINTS_HELP), 0;
      onlyOptions(values, 'checkpoints', ['json', 'keep', 'state', 'endpoint', 'region']);
      return checkpointsCommand({ positionals: rest, json: values.json ?? false, keep: values.keep, state: values.state, endpoint: values.endpoint, region: values.region });
    default:
      if (values.help) return process.stdout.write(HELP), 0;
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const usage = e instanceof UsageError;
    process.stderr.write(`streamframe: ${e instanceof Error ? e.message : String(e)}${usage ? ' (see streamframe --help)' : ''}\n`);
    process.exit(usage ? 2 : 1);
  },
);
