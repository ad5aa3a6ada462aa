import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertSafePath, assertSafePrefix, type CheckpointStore } from './store.js';

const TMP_MARK = '.sf-tmp-';

function isErrno(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && codes.includes((e as NodeJS.ErrnoException).code ?? '');
}

/** fsync a directory so a rename inside it is durable. Some platforms cannot; that is not fatal. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    if (!isErrno(e, 'EISDIR', 'EINVAL', 'EPERM', 'EBADF')) throw e;
  } finally {
    await handle?.close();
  }
}

/**
 * `mkdir -p` one level at a time: Node's `{ recursive: true }` never returns for some paths that
 * exist but cannot hold directories (under `/proc`, it spins at 100% CPU).
 */
async function mkdirs(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir);
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return;
    const parent = nodePath.dirname(dir);
    if (!isErrno(e, 'ENOENT') || parent === dir) throw e;
    await mkdirs(parent);
    await fsp.mkdir(dir).catch((again: unknown) => {
      if (!isErrno(again, 'EEXIST')) throw again;
    });
  }
}

/**
 * Checkpoint files on a local filesystem. Each `put` writes a temporary file in the target's
 * directory, fsyncs it, renames it over the target and fsyncs the directory.
 */
export class FsCheckpointStore implements CheckpointStore {
  readonly root: string;
  readonly url: string;

  constructor(root: string) {
    this.root = nodePath.resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  private abs(path: string): string {
    assertSafePath(path);
    return nodePath.join(this.root, ...path.split('/'));
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const target = this.abs(path);
    const dir = nodePath.dirname(target);
    const tmp = nodePath.join(dir, `${TMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}-${nodePath.basename(target)}`);
    try {
      // A concurrent delete may remove an emptied directory between mkdir and open: retry then.
      for (let attempt = 1; ; attempt++) {
        try {
          await mkdirs(dir);
          const handle = await fsp.open(tmp, 'wx');
          try {
            await handle.writeFile(data);
            await handle.sync();
          } finally {
            await handle.close();
          }
          await fsp.rename(tmp, target);
          break;
        } catch (e) {
          if (attempt >= 3 || !isErrno(e, 'ENOENT')) throw e;
        }
      }
      await fsyncDir(dir);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw new Error(`checkpoint store: put ${path} in ${this.url} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    const target = this.abs(path);
    try {
      const buf = await fsp.readFile(target);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR')) return undefined;
      throw new Error(`checkpoint store: get ${path} in ${this.url} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix);
    // Walk from the deepest directory the prefix names completely.
    const cut = prefix.lastIndexOf('/');
    const baseRel = cut < 0 ? '' : prefix.slice(0, cut);
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fsp.readdir(rel === '' ? this.root : nodePath.join(this.root, ...rel.split('/')), { withFileTypes: true });
      } catch (e) {
        if (isErrno(e, 'ENOENT', 'ENOTDIR')) return;
        throw new Error(`checkpoint store: list ${prefix} in ${this.url} failed: ${(e as Error).message}`, { cause: e });
      }
      await Promise.all(
        entries.map(async (ent) => {
          if (ent.name.startsWith(TMP_MARK)) return;
          const childRel = rel === '' ? ent.name : `${rel}/${ent.name}`;
          if (ent.isDirectory()) {
            // Only descend where the prefix can still match.
            const asDir = `${childRel}/`;
            if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(childRel);
          } else if (ent.isFile() && childRel.startsWith(prefix)) {
            out.push(childRel);
          }
        }),
      );
    };
    await walk(baseRel);
    return out;
  }

  async delete(path: string): Promise<void> {
    const target = this.abs(path);
    try {
      await fsp.unlink(target);
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR')) return;
      throw new Error(`checkpoint store: delete ${path} in ${this.url} failed: ${(e as Error).message}`, { cause: e });
    }
    // Tidy now-empty directories (data/<N>/) up to, not including, the root. Best effort.
    let dir = nodePath.dirname(target);
    while (dir.startsWith(this.root + nodePath.sep)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        break;
      }
      dir = nodePath.dirname(dir);
    }
  }

  parent(): FsCheckpointStore | undefined {
    const up = nodePath.dirname(this.root);
    return up === this.root ? undefined : new FsCheckpointStore(up);
  }

  toString(): string {
    return `FsCheckpointStore(${this.url})`;
  }
}
