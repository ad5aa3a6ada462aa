import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  describeCheckpoint,
  inspectCheckpoint,
  listCheckpoints,
  listTasks,
  openStore,
  parquetToTable,
  pruneCheckpoints,
  scopedStore,
  TASKS_DIR,
  verifyCheckpoints,
  type CheckpointStore,
} from '../checkpoint/index.js';
import { formatAge, formatBytes, textTable } from './format.js';
import { UsageError } from './usage.js';

export const CHECKPOINTS_HELP = `Usage:
  streamframe checkpoints list <store>              checkpoints, newest last: committed, damaged or not; age; size
  streamframe checkpoints show [N] <store>          source positions and each node's state (default: newest committed)
  streamframe checkpoints show [N] --state NODE <store>   one node's state as a table (--json: rows as JSON)
  streamframe checkpoints verify <store>            check sizes, checksums and that every state file decodes (exit 1 if damaged)
  streamframe checkpoints prune --keep K <store>    keep the last K committed checkpoints, delete the rest and leftovers

<store> is a directory or a URL: s3://bucket/prefix, azblob://container/prefix, gs://bucket/prefix, …
(see the README's checkpoint stores; credentials from each platform's standard variables, e.g.
AWS_ACCESS_KEY_ID, AZURE_STORAGE_CONNECTION_STRING; --endpoint URL and --region R for
S3-compatible servers and emulators). --json prints JSON instead of text.
A partitioned job's store holds one set of checkpoints per task (tasks/<topic>-<partition>/):
list and verify cover every task; show and prune take the task's own path (<store>/tasks/events-0).
`;

export interface CheckpointsArgs {
  positionals: string[];
  json: boolean;
  keep?: string;
  state?: string;
  endpoint?: string;
  region?: string;
}

const print = (s: string) => process.stdout.write(s + '\n');

/** Runs a `checkpoints` subcommand; resolves to the process exit code. */
export async function checkpointsCommand(args: CheckpointsArgs): Promise<number> {
  const [sub, ...rest] = args.positionals;
  const needStore = (extra: number) => {
    if (rest.length !== extra + 1) throw new UsageError(`checkpoints ${sub} takes ${extra ? '[N] ' : ''}<store>`);
    const target = rest[rest.length - 1];
    assertLocalStoreExists(target);
    return openStore(target, { endpoint: args.endpoint, region: args.region, forcePathStyle: args.endpoint !== undefined });
  };
  if (args.state !== undefined && sub !== 'show') throw new UsageError(`checkpoints ${sub} does not take --state`);
  switch (sub) {
    case 'list':
      return list(needStore(0), args.json);
    case 'show': {
      const store = needStore(rest.length === 2 ? 1 : 0);
      const n = rest.length === 2 ? Number(rest[0]) : undefined;
      if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new UsageError(`checkpoint number must be a positive whole number, got "${rest[0]}"`);
      return args.state === undefined ? show(store, n, args.json) : showState(store, n, args.state, args.json);
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

async function newestCommitted(store: CheckpointStore): Promise<number> {
  const newest = [...(await listCheckpoints(store))].reverse().find((c) => c.committed)?.checkpoint;
  if (newest === undefined) throw new Error(`no committed checkpoint in ${store.url}`);
  return newest;
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

/** A local store must be a directory that exists: a typo must not read as "no checkpoints" or "all intact". */
function assertLocalStoreExists(target: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^file:/i.test(target)) return;
  const path = /^file:/i.test(target) ? fileURLToPath(target) : target;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) throw new Error(`no checkpoint store at ${target}: no such directory`);
  if (!stat.isDirectory()) throw new Error(`${target} is a file, not a checkpoint store (a directory)`);
}

/** Each checkpoint with its status, size and damage, from the commit marker and the files it lists (sizes and sha256; no decoding). */
async function listRows(store: CheckpointStore) {
  return Promise.all(
    (await listCheckpoints(store)).map(async (c) => {
      if (!c.committed) return { ...c, status: 'uncommitted', bytes: undefined as number | undefined, problems: [] as string[] };
      const r = await inspectCheckpoint(store, c.checkpoint);
      const bytes = r.commit ? Object.values(r.commit.files).reduce((a, f) => a + f.bytes, 0) : undefined;
      return { ...c, status: r.problems.length ? 'damaged' : 'ok', bytes, problems: r.problems.map((p) => `${p.file}: ${p.reason}`) };
    }),
  );
}

async function list(store: CheckpointStore, json: boolean): Promise<number> {
  const all = await Promise.all((await scopes(store)).map(async (s) => ({ task: s.task, result: await listRows(s.store) })));
  if (json) {
    print(JSON.stringify(byScope(all)));
    return 0;
  }
  if (all.every((s) => s.result.length === 0)) print(`no checkpoints in ${store.url}`);
  const now = Date.now();
  for (const { task, result: rows } of all) {
    if (rows.length === 0) continue;
    if (task !== undefined) print(`task ${task}:`);
    print(
      textTable(
        ['checkpoint', 'status', 'created', 'age', 'size'],
        rows.map((c) => [c.checkpoint, c.status, c.createdAt ?? '', c.createdAt ? formatAge(now - Date.parse(c.createdAt)) : '', c.bytes === undefined ? '' : formatBytes(c.bytes)]),
      ),
    );
    for (const c of rows) for (const p of c.problems) print(`checkpoint ${c.checkpoint} damaged: ${p}`);
  }
  return 0;
}

async function show(store: CheckpointStore, n: number | undefined, json: boolean): Promise<number> {
  const d = await describeCheckpoint(store, n ?? (await newestCommitted(store)));
  if (json) {
    print(JSON.stringify(d));
    return 0;
  }
  const problems = d.committed ? (await inspectCheckpoint(store, d.checkpoint)).problems : [];
  const age = d.createdAt ? ` (${formatAge(Date.now() - Date.parse(d.createdAt))} ago)` : '';
  const status = !d.committed ? 'NOT committed' : problems.length ? 'DAMAGED' : 'committed, intact';
  print(`checkpoint ${d.checkpoint} of job ${d.job ?? '?'} — ${status}, ${d.createdAt ?? ''}${age}, ${formatBytes(d.totalBytes)}`);
  for (const p of problems) print(`  damaged: ${p.file}: ${p.reason}`);
  print('sources:');
  for (const [id, pos] of Object.entries(d.sources)) print(`  ${id}: ${JSON.stringify(pos)}`);
  print('nodes:');
  for (const node of d.nodes) {
    const schema = node.schema?.map((f) => `${f.name}: ${f.type}`).join(', ');
    print(`  ${node.id} (${node.kind})  ${node.file}  ${node.bytes === undefined ? '?' : formatBytes(node.bytes)}${node.rows === undefined ? '' : `  ${node.rows} rows`}${schema ? `  [${schema}]` : ''}`);
  }
  return 0;
}

/** One node's state: a Parquet state as a table of its rows, a JSON state as JSON. */
async function showState(store: CheckpointStore, n: number | undefined, nodeId: string, json: boolean): Promise<number> {
  const d = await describeCheckpoint(store, n ?? (await newestCommitted(store)));
  const node = d.nodes.find((x) => x.id === nodeId);
  if (node === undefined) throw new Error(`checkpoint ${d.checkpoint} has no state for node "${nodeId}"; nodes with state: ${d.nodes.map((x) => x.id).join(', ') || 'none'}`);
  const bytes = await store.get(node.file);
  if (bytes === undefined) throw new Error(`${node.file} is missing from ${store.url}`);
  if (!node.file.endsWith('.parquet')) {
    print(json ? new TextDecoder().decode(bytes) : JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2));
    return 0;
  }
  const table = parquetToTable(bytes);
  const rows = table.toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON());
  if (json) print(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  else {
    const names = table.schema.fields.map((f) => f.name);
    print(`${node.id} (${node.kind}) in checkpoint ${d.checkpoint}: ${table.numRows} rows`);
    print(textTable(names, rows.map((r) => names.map((c) => r[c]))));
  }
  return 0;
}

async function verify(store: CheckpointStore, json: boolean): Promise<number> {
  const all = await Promise.all((await scopes(store)).map(async (s) => ({ task: s.task, result: await verifyCheckpoints(s.store) })));
  if (all.every((s) => s.result.length === 0)) throw new Error(`no checkpoints in ${store.url}: nothing to verify`);
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
