import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore, OpenDalCheckpointStore, openStore, UnsafePathError } from '../../src/checkpoint/index.js';
import { tempDir } from './helpers.js';
import { defineCheckpointSuite } from './suite.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
async function freshStore(): Promise<FsCheckpointStore> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return new FsCheckpointStore(join(t.dir, 'root'));
}
const enc = new TextEncoder();
const dec = new TextDecoder();

describe('FsCheckpointStore', () => {
  it('puts, gets, lists and deletes files; creates directories as needed', async () => {
    const s = await freshStore();
    expect(s.url).toMatch(/^file:\/\/\/.*\/root$/);
    expect(await s.get('metadata/1.json')).toBeUndefined();
    expect(await s.list('')).toEqual([]);
    await s.put('data/1/a.json', enc.encode('1'));
    await s.put('data/1/b.parquet', enc.encode('22'));
    await s.put('data/12/a.json', enc.encode('3'));
    await s.put('metadata/1.json', enc.encode('{}'));
    expect(dec.decode(await s.get('data/1/b.parquet'))).toBe('22');
    expect((await s.list('data/1/')).sort()).toEqual(['data/1/a.json', 'data/1/b.parquet']);
    expect((await s.list('data/1')).sort()).toEqual(['data/1/a.json', 'data/1/b.parquet', 'data/12/a.json']);
    expect((await s.list('')).sort()).toEqual(['data/1/a.json', 'data/1/b.parquet', 'data/12/a.json', 'metadata/1.json']);
    expect(await s.list('nothing/')).toEqual([]);
    await s.delete('data/1/a.json');
    await s.delete('data/1/a.json'); // missing: fine
    await s.delete('data/1/b.parquet');
    // Emptied data/1/ is removed, the root stays.
    await expect(fsp.stat(join(s.root, 'data', '1'))).rejects.toThrow();
    await fsp.stat(s.root);
    expect((await s.list('')).sort()).toEqual(['data/12/a.json', 'metadata/1.json']);
  });

  it('leaves no temporary files after racing writers', async () => {
    const s = await freshStore();
    await Promise.all(Array.from({ length: 8 }, (_, i) => s.put('commits/1.json', new Uint8Array(1000 + i).fill(i))));
    expect(await fsp.readdir(join(s.root, 'commits'))).toEqual(['1.json']);
  });

  it('cleans its temporary file when a put fails and hides temporaries from list', async () => {
    const s = await freshStore();
    await s.put('metadata/1.json', enc.encode('{}'));
    // A directory where the file should go makes the rename fail.
    await fsp.mkdir(join(s.root, 'metadata', '2.json'), { recursive: true });
    await expect(s.put('metadata/2.json', enc.encode('{}'))).rejects.toThrow(/put metadata\/2.json/);
    expect((await fsp.readdir(join(s.root, 'metadata'))).sort()).toEqual(['1.json', '2.json']);
    await fsp.writeFile(join(s.root, 'metadata', '.sf-tmp-1-abc-3.json'), 'x');
    expect(await s.list('metadata/')).toEqual(['metadata/1.json']);
  });

  it('rejects unsafe paths with a clear error and never writes outside the root', async () => {
    const s = await freshStore();
    for (const p of ['../x', '/etc/passwd', 'a\\..\\b', 'a//b', 'a/./b', 'x\0y', '', 'C:/x']) {
      await expect(s.put(p, enc.encode('x'))).rejects.toThrow(UnsafePathError);
      await expect(s.get(p)).rejects.toThrow(UnsafePathError);
      await expect(s.delete(p)).rejects.toThrow(UnsafePathError);
    }
    await expect(s.put('../x', enc.encode('x'))).rejects.toThrow('Unsafe checkpoint path "../x": must not contain a ".." segment');
    await expect(s.list('../')).rejects.toThrow(UnsafePathError);
    expect(await fsp.readdir(join(s.root, '..'))).toEqual([]);
  });

  it('openStore serves plain paths and file:// URLs through OpenDAL fs, at the same root', async () => {
    const s = await freshStore();
    const a = openStore(s.root);
    const b = openStore(s.url);
    expect(a).toBeInstanceOf(OpenDalCheckpointStore);
    expect(b).toBeInstanceOf(OpenDalCheckpointStore);
    expect(a.url).toBe(s.url);
    expect(b.url).toBe(s.url);
    await s.put('metadata/1.json', enc.encode('{}'));
    expect(await a.list('')).toEqual(['metadata/1.json']);
    expect(openStore(s)).toBe(s);
    expect(() => openStore('ftp://host/x')).toThrow(/unsupported/);
  });
});

defineCheckpointSuite('the filesystem', { makeStore: freshStore });
