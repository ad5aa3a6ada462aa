#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';

const HELP = `streamframe — stateful stream processing in the style of streamz

Usage:
  streamframe demo [--count N] [--every N]   run the built-in demo job and print its results
  streamframe --help                         this text
  streamframe --version                      the package version
`;

/** Bad arguments: one line on stderr and exit code 2. */
function usageError(message: string): never {
  process.stderr.write(`streamframe: ${message} (see streamframe --help)\n`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) usageError(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, count: { type: 'string' }, every: { type: 'string' } },
    });
  } catch (e) {
    usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
    return;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return;
  }
  if (rest.length > 0) usageError(`unexpected argument "${rest[0]}"`);
  switch (command) {
    case 'demo':
      await runDemo({ count: positiveInt('count', values.count, 20_000), every: positiveInt('every', values.every, 5_000) });
      return;
    default:
      usageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`streamframe: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
