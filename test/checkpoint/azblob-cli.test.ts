import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints, openStore, runJob, Stream } from '../../src/index.js';
import { AZURITE_KEY, startAzurite, type AzuriteServer } from '../fixtures/azurite.js';

let azurite: AzuriteServer;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const root = new URL('../..', import.meta.url).pathname;
const cli = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('the checkpoints command on azblob:// (Azurite)', () => {
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
});
