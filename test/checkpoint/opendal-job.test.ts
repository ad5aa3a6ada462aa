import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger, listCheckpoints, openStore, runJob, setLogger, Stream } from '../../src/index.js';
import { AZURITE_KEY, startAzurite, type AzuriteServer } from '../fixtures/azurite.js';

let azurite: AzuriteServer;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function build(n: number) {
  const source = Stream.fromIterable(Array.from({ length: n }, (_, i) => i)).name('numbers');
  const out: unknown[] = [];
  source
    .accumulate((a, x) => a + x, { start: 0 })
    .name('total')
    .zip(source.slidingWindow(4).name('window'))
    .sink((t) => out.push(t));
  return { source, out };
}

const root = new URL('../..', import.meta.url).pathname;
const cli = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('runJob and the checkpoints command on azblob:// (Azurite)', () => {
  it('checkpoints to azblob://container/prefix and restarts exactly where it stopped', async () => {
    const url = `azblob://${azurite.container}/jobs/numbers`;
    const storeOptions = azurite.storeOptions();
    const whole = build(300);
    await runJob(whole.source, { name: 'u', handleSignals: false }).done;

    const first = build(300);
    const job1 = runJob(first.source, { name: 'numbers', handleSignals: false, checkpoint: { store: url, storeOptions, every: { elements: 25 } } });
    first.source.sink((x) => void (x === 170 && job1.stop()));
    await job1.done;

    const second = build(300);
    const job2 = runJob(second.source, { name: 'numbers', handleSignals: false, checkpoint: { store: url, storeOptions, every: { elements: 25 } } });
    expect(await job2.restored).toBeGreaterThan(0);
    await job2.done;
    expect([...first.out, ...second.out]).toEqual(whole.out);
    expect((await listCheckpoints(openStore(url, storeOptions))).filter((c) => c.committed).length).toBeGreaterThan(1);
  });

  it('list, show, verify and prune the same URL, account from AZURE_STORAGE_CONNECTION_STRING; the key is never printed', async () => {
    const url = `azblob://${azurite.container}/jobs/cli`;
    const source = Stream.fromIterable(Array.from({ length: 50 }, (_, i) => i)).name('numbers');
    source.accumulate((a, x) => a + x, { start: 0 }).name('total');
    await runJob(source, { name: 'cli', handleSignals: false, checkpoint: { store: url, storeOptions: azurite.storeOptions(), every: { elements: 10 } } }).done;

    const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString() };
    const list = cli(env, 'checkpoints', 'list', '--json', url);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.out) as { checkpoint: number; committed: boolean }[];
    expect(listed.length).toBeGreaterThanOrEqual(2); // triggers during a write are skipped, so the count varies
    expect(cli(env, 'checkpoints', 'show', url).out).toContain('numbers: 50');
    expect(cli(env, 'checkpoints', 'verify', url).code).toBe(0);
    const prune = cli(env, 'checkpoints', 'prune', '--keep', '1', url);
    expect(prune.code).toBe(0);
    expect((await listCheckpoints(openStore(url, azurite.storeOptions()))).map((c) => c.checkpoint)).toEqual(listed.slice(-1).map((c) => c.checkpoint));

    // A wrong container: the error names the URL, not the key.
    const bad = cli(env, 'checkpoints', 'list', `azblob://no-such-container/x`);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/azblob:\/\/no-such-container\/x\/.*ContainerNotFound/s);
    for (const r of [list, prune, bad]) expect(r.out + r.err).not.toContain(AZURITE_KEY);
  }, 180_000); // six CLI processes, each compiling through tsx

  it('credentials never appear in logs or errors when the service is unreachable', async () => {
    const secret = 'AZURE-SECRET-ACCOUNT-KEY-789';
    const lines: string[] = [];
    setLogger({ log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) });
    try {
      const source = Stream.fromIterable([1, 2, 3]);
      source.accumulate((a, x) => a + x).name('total');
      const job = runJob(source, {
        name: 'secretive',
        handleSignals: false,
        checkpoint: { store: 'azblob://c/jobs/secretive', storeOptions: { endpoint: 'http://127.0.0.1:1/acct', account_name: 'acct', account_key: Buffer.from(secret).toString('base64'), maxAttempts: 1 } },
      });
      const error = await job.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const everything = [...lines, String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
      expect(everything).toMatch(/azblob:\/\/c\/jobs\/secretive\//);
      expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
    } finally {
      setLogger(jsonLogger());
    }
  });
});
