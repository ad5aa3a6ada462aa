import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDalStore, OpenDalCheckpointStore, pruneCheckpoints, UnsafePathError, writeCheckpoint } from '../../src/checkpoint/index.js';
import { pipelineA, tempDir } from './helpers.js';
import { defineCheckpointSuite } from './suite.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
async function freshRoot(): Promise<string> {
  const t = await tempDir('sf-opendal-fs-');
  cleanups.push(t.cleanup);
  return join(t.dir, 'root');
}
const enc = new TextEncoder();

describe('local files through OpenDAL (fs)', () => {
  it('writes through a temporary file in the root, hides it from list, and tidies emptied checkpoint directories', async () => {
    const root = await freshRoot();
    const s = openDalStore(pathToFileURL(root).href);
    expect(s).toBeInstanceOf(OpenDalCheckpointStore);
    expect(s.url).toBe(pathToFileURL(root).href);
    expect(await s.list('')).toEqual([]);
    await s.put('data/1/a.json', enc.encode('1'));
    await s.put('data/12/a.json', enc.encode('3'));
    // A temporary left by a writer killed mid-put is not a checkpoint file.
    await fsp.writeFile(join(root, '.sf-tmp', 'a.json.leftover'), 'x');
    expect((await s.list('')).sort()).toEqual(['data/1/a.json', 'data/12/a.json']);
    expect((await s.list('data/1')).sort()).toEqual(['data/1/a.json', 'data/12/a.json']);
    expect(await fsp.readdir(join(root, 'data', '1'))).toEqual(['a.json']);
    await s.delete('data/1/a.json');
    await expect(fsp.stat(join(root, 'data', '1'))).rejects.toThrow(/ENOENT/);
    expect(await s.get('data/1/a.json')).toBeUndefined();
    expect(await s.list('data/1/')).toEqual([]);
  });

  it('retention leaves no empty checkpoint directories behind', async () => {
    const root = await freshRoot();
    const s = openDalStore(pathToFileURL(root).href);
    for (let i = 0; i < 4; i++) await writeCheckpoint(s, { job: 'j', sources: {}, nodes: { a: { kind: 'accumulate', state: i } }, pipeline: pipelineA });
    await pruneCheckpoints(s, 1);
    expect(await fsp.readdir(join(root, 'data'))).toEqual(['4']);
  });

  it('rejects unsafe paths before touching the disk', async () => {
    const root = await freshRoot();
    const s = openDalStore(pathToFileURL(root).href);
    for (const p of ['../x', '/etc/passwd', 'a//b', 'x\0y', '']) {
      await expect(s.put(p, enc.encode('x'))).rejects.toThrow(UnsafePathError);
      await expect(s.get(p)).rejects.toThrow(UnsafePathError);
    }
    await expect(fsp.readdir(join(root, '..'))).resolves.toEqual([]);
  });
});

defineCheckpointSuite('local files (OpenDAL fs)', { makeStore: async () => openDalStore(pathToFileURL(await freshRoot()).href) });
