#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CHECKPOINTS_HELP, checkpointsCommand } from './checkpoints.js';
import { runDemo } from './demo.js';
import { UsageError } from './usage.js';

const HELP = `streamframe — stateful stream processing in the style of streamz

Usage:
  streamframe demo [--count N] [--every N]     run the built-in demo job and print its results
  streamframe checkpoints list|show|verify|prune ...   inspect and prune a checkpoint store (--help for details)
  streamframe --help                           this text
  streamframe --version                        the package version
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, got "${value}"`);
  return n;
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
        count: { type: 'string' },
        every: { type: 'string' },
        json: { type: 'boolean' },
        keep: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
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
      if (values.help) return process.stdout.write(HELP), 0;
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      await runDemo({ count: positiveInt('count', values.count, 20_000), every: positiveInt('every', values.every, 5_000) });
      return 0;
    case 'checkpoints':
      if (values.help) return process.stdout.write(CHECKPOINTS_HELP), 0;
      return checkpointsCommand({ positionals: rest, json: values.json ?? false, keep: values.keep, endpoint: values.endpoint, region: values.region });
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
