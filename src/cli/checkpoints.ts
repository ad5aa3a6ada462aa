import {
  describeCheckpoint,
  listCheckpoints,
  openStore,
  pruneCheckpoints,
  verifyCheckpoints,
  type CheckpointStore,
} from '../checkpoint/index.js';
import { UsageError } from './usage.js';

export const CHECKPOINTS_HELP = `Usage:
  streamframe checkpoints list <store>              checkpoints, committed or not, newest last
  streamframe checkpoints show [N] <store>          source positions and each node's state (default: newest committed)
  streamframe checkpoints verify <store>            check sizes, checksums and that every state file decodes (exit 1 if damaged)
  streamframe checkpoints prune --keep K <store>    keep the last K committed checkpoints, delete the rest and leftovers

<store> is a directory or a URL: s3://bucket/prefix, azblob://container/prefix, gs://bucket/prefix, …
(see the README's checkpoint stores; credentials from each platform's standard variables, e.g.
AWS_ACCESS_KEY_ID, AZURE_STORAGE_CONNECTION_STRING; --endpoint URL and --region R for
S3-compatible servers and emulators). --json prints JSON instead of text.
`;

export interface CheckpointsArgs {
  positionals: string[];
  json: boolean;
  keep?: string;
  endpoint?: string;
  region?: string;
}

const print = (s: string) => process.stdout.write(s + '\n');

/** Runs a `checkpoints` subcommand; resolves to the process exit code. */
export async function checkpointsCommand(args: CheckpointsArgs): Promise<number> {
  const [sub, ...rest] = args.positionals;
  const needStore = (extra: number) => {
    if (rest.length !== extra + 1) throw new UsageError(`checkpoints ${sub} takes ${extra ? '[N] ' : ''}<store>`);
    return openStore(rest[rest.length - 1], { endpoint: args.endpoint, region: args.region, forcePathStyle: args.endpoint !== undefined });
  };
  switch (sub) {
    case 'list':
      return list(needStore(0), args.json);
    case 'show': {
      const store = needStore(rest.length === 2 ? 1 : 0);
      const n = rest.length === 2 ? Number(rest[0]) : undefined;
      if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new UsageError(`checkpoint number must be a positive whole number, got "${rest[0]}"`);
      return show(store, n, args.json);
    }
    case 'verify':
      return verify(needStore(0), args.json);
    case 'prune': {
      const keep = Number(args.keep);
      if (args.keep === undefined || !(Number.isInteger(keep) && keep >= 1)) throw new UsageError('checkpoints prune needs --keep K (a whole number, at least 1)');
      const result = await pruneCheckpoints(needStore(0), keep);
      if (args.json) print(JSON.stringify(result));
      else print(`kept ${fmtList(result.kept)}; deleted ${fmtList(result.deleted)}; leftovers removed ${fmtList(result.leftovers)}`);
      return 0;
    }
    default:
      throw new UsageError(sub === undefined ? 'checkpoints needs a subcommand: list, show, verify or prune' : `unknown checkpoints subcommand "${sub}"`);
  }
}

const fmtList = (ns: number[]) => (ns.length ? ns.join(', ') : 'none');

async function list(store: CheckpointStore, json: boolean): Promise<number> {
  const all = await listCheckpoints(store);
  if (json) print(JSON.stringify(all));
  else if (all.length === 0) print(`no checkpoints in ${store.url}`);
  else for (const c of all) print(`${String(c.checkpoint).padStart(6)}  ${c.committed ? 'committed  ' : 'uncommitted'}  ${c.createdAt ?? ''}`);
  return 0;
}

async function show(store: CheckpointStore, n: number | undefined, json: boolean): Promise<number> {
  const target = n ?? [...(await listCheckpoints(store))].reverse().find((c) => c.committed)?.checkpoint;
  if (target === undefined) throw new Error(`no committed checkpoint in ${store.url}`);
  const d = await describeCheckpoint(store, target);
  if (json) {
    print(JSON.stringify(d));
    return 0;
  }
  print(`checkpoint ${d.checkpoint} of job ${d.job ?? '?'} — ${d.committed ? 'committed' : 'NOT committed'}, ${d.createdAt ?? ''}, ${d.totalBytes} bytes`);
  print('sources:');
  for (const [id, pos] of Object.entries(d.sources)) print(`  ${id}: ${JSON.stringify(pos)}`);
  print('nodes:');
  for (const node of d.nodes) {
    const schema = node.schema?.map((f) => `${f.name}: ${f.type}`).join(', ');
    print(`  ${node.id} (${node.kind})  ${node.file}  ${node.bytes ?? '?'} bytes${node.rows === undefined ? '' : `  ${node.rows} rows`}${schema ? `  [${schema}]` : ''}`);
  }
  return 0;
}

async function verify(store: CheckpointStore, json: boolean): Promise<number> {
  const results = await verifyCheckpoints(store);
  const damaged = results.filter((r) => r.status === 'damaged');
  if (json) print(JSON.stringify(results));
  else {
    for (const r of results) {
      print(`${String(r.checkpoint).padStart(6)}  ${r.status}`);
      for (const p of r.problems) print(`        ${p.file}: ${p.reason}`);
    }
    print(damaged.length ? `${damaged.length} damaged checkpoint(s)` : 'all committed checkpoints are intact');
  }
  return damaged.length ? 1 : 0;
}
