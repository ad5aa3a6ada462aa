import { promises as fsp, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FsCheckpointStore } from '../../src/index.js';

afterEach(() => vi.restoreAllMocks());

describe('FsCheckpointStore durability', () => {
  it('fsyncs the temporary file before renaming it over the target, then fsyncs the directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sf-fsync-'));
    const store = new FsCheckpointStore(root);
    const events: string[] = [];
    const paths = new WeakMap<object, string>();
    const name = (p: unknown) => String(p).slice(root.length + 1);
    const open = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await open(...args);
      paths.set(handle, name(args[0]));
      const sync = handle.sync.bind(handle);
      handle.sync = async () => (await sync(), void events.push(`sync ${paths.get(handle)}`));
      return handle;
    });
    const rename = fsp.rename.bind(fsp);
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => (await rename(from, to), void events.push(`rename ${basename(String(from))} -> ${name(to)}`)));

    await store.put('data/1/total.json', new TextEncoder().encode('{"state": 1}'));
    expect(events).toHaveLength(3);
    const [syncTmp, renamed, syncDir] = events;
    const tmp = syncTmp.slice('sync data/1/'.length);
    expect(syncTmp).toBe(`sync data/1/${tmp}`);
    expect(renamed).toBe(`rename ${tmp} -> data/1/total.json`);
    expect(syncDir).toBe('sync data/1');
  });
});
