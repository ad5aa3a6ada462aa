import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const root = new URL('../..', import.meta.url).pathname;
const node = (args: string[], input?: string) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', input });

describe('the opendal package', { timeout: 120_000 }, () => { // fresh processes loading a native binding: slow on a loaded machine
  it('is pinned to the 0.47 line (0.48.3 does not load, 0.49 needs glibc 2.38) and that is what is installed', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.opendal).toMatch(/^0\.47\.\d+$/);
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/opendal/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(pkg.dependencies.opendal);
  });

  it('loads its native binding in a fresh process and writes, reads and lists files', async () => {
    const t = await tempDir('sf-opendal-load-');
    try {
      const script = `
        const { Operator } = require('opendal');
        const op = new Operator('fs', { root: ${JSON.stringify(t.dir)} });
        (async () => {
          await op.write('a/b.json', Buffer.from('{"x":1}'));
          const back = (await op.read('a/b.json')).toString();
          const listed = (await op.list('a/', { recursive: true })).map((e) => e.path()).filter((p) => !p.endsWith('/'));
          console.log(JSON.stringify({ back, listed }));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const r = node(['-e', script]);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ back: '{"x":1}', listed: ['a/b.json'] });
    } finally {
      await t.cleanup();
    }
  });

  it('where it cannot load, the native file and S3 stores serve file: and s3://, and other URLs fail with the load error', async () => {
    const t = await tempDir('sf-opendal-missing-');
    try {
      // Make require('opendal') fail as on a platform without a binary, then use the stores.
      const script = `
        import Module from 'node:module';
        const resolve = Module._resolveFilename;
        Module._resolveFilename = function (request, ...rest) {
          if (request === 'opendal') throw new Error('libc.so.6: version GLIBC_2.38 not found (simulated)');
          return resolve.call(this, request, ...rest);
        };
        const { openStore, writeCheckpoint, listCheckpoints } = await import('./src/checkpoint/index.ts');
        const fsStore = openStore(${JSON.stringify(join(t.dir, 'root'))});
        await writeCheckpoint(fsStore, { job: 'j', sources: {}, nodes: {}, pipeline: { description: { nodes: [], edges: [] } } });
        console.log(JSON.stringify((await listCheckpoints(fsStore)).map((c) => c.checkpoint)));
        console.log(fsStore.constructor.name + ' ' + openStore('s3://b/p').constructor.name);
        try { await openStore('azblob://c/p', { account_name: 'a', account_key: 'S0VZS0VZ', endpoint: 'http://127.0.0.1:1/a' }).list(''); }
        catch (e) { console.log(e.name + ': ' + e.message); }`;
      const r = node(['--import', 'tsx', '--input-type=module', '-'], script);
      const [listed, natives, error] = r.stdout.trim().split('\n');
      expect(listed).toBe('[1]');
      expect(natives).toBe('FsCheckpointStore S3CheckpointStore');
      expect(error).toMatch(/^OpenDalUnavailableError: checkpoint store azblob:\/\/c\/p\/ needs the opendal package .* GLIBC_2\.38 not found \(simulated\)\. file: and s3:\/\/ stores work without it\.$/);
    } finally {
      await t.cleanup();
    }
  });
});
