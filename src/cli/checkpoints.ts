import {
  describeCheckpoint,
  listCheckpoints,
  listTasks,
  openStore,
  pruneCheckpoints,
  scopedStore,
  TASKS_DIR,
  verifyCheckpoints,
  type CheckpointStore,
} from '../checkpoint/index.js';
import { UsageError } from './usage.js';

export const CHECKPOINTS_HELP = `Usage:
  streamframe checkpoints list <store>              checkpoints, committed or not, newest last
  streamframe checkpoints show [N] <store>          source positions and each node's state (default: newest committed)
  streamframe checkpoints verify <store>            check sizes, checksums and that every state file decodes (exit 1 if damaged)
  streamframe checkpoints prune --keep K <store>    keep the last K committed checkpoints, delete the rest and leftovers

<store> is a directory or s3://bucket/prefix (credentials from the standard AWS variables;
--endpoint URL and --region R for S3-compatible servers). --json prints JSON instead of text.
A partitioned job's store holds one set of checkpoints per task (tasks/<topic>-<partition>/):
list and verify cover every task; show and prune take the task's own path (<store>/tasks/events-0).
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

/** The store's own checkpoints, then each task's of a partitioned job (label: the task's name). */
async function scopes(store: CheckpointStore): Promise<{ task?: string; store: CheckpointStore }[]> {
  const tasks = await listTasks(store);
  return [{ store }, ...tasks.map((task) => ({ task, store: scopedStore(store, `${TASKS_DIR}${task}`) }))];
}

/** One result per scope: as before for a plain store, `{ checkpoints, tasks: { name: … } }` for a partitioned one. */
function byScope<R>(results: { task?: string; result: R }[]): unknown {
  if (results.length === 1) return results[0].result;
  return { checkpoints: results[0].result, tasks: Object.fromEntries(results.slice(1).map((r) => [r.task, r.result])) };
}

async function list(store: CheckpointStore, json: boolean): Promise<number> {
  const all = await Promise.all((await scopes(store)).map(async (s) => ({ task: s.task, result: await listCheckpoints(s.store) })));
  if (json) {
    print(JSON.stringify(byScope(all)));
    return 0;
  }
  if (all.every((s) => s.result.length === 0)) print(`no checkpoints in ${store.url}`);
  for (const { task, result } of all) {
    if (task !== undefined) print(`task ${task}:`);
    for (const c of result) print(`${String(c.checkpoint).padStart(6)}  ${c.committed ? 'committed  ' : 'uncommitted'}  ${c.createdAt ?? ''}`);
  }
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
  const all = await Promise.all((await scopes(store)).map(async (s) => ({ task: s.task, result: await verifyCheckpoints(s.store) })));
  const damaged = all.flatMap((s) => s.result).filter((r) => r.status === 'damaged');
  if (json) print(JSON.stringify(byScope(all)));
  else {
    for (const { task, result } of all) {
      if (task !== undefined) print(`task ${task}:`);
      for (const r of result) {
        print(`${String(r.checkpoint).padStart(6)}  ${r.status}`);
        for (const p of r.problems) print(`        ${p.file}: ${p.reason}`);
      }
    }
    print(damaged.length ? `${damaged.length} damaged checkpoint(s)` : 'all committed checkpoints are intact');
  }
  return damaged.length ? 1 : 0;
}
