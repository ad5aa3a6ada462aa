import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Stream, type StreamOptions } from '../core/stream.js';
import { Source } from './source.js';

declare module '../core/stream.js' {
  namespace Stream {
    /**
     * Emit the path of every file in a directory, then of each new one as it appears. A pattern
     * such as `dir/*.csv` (`*` and `?` in the last segment) selects files by name.
     */
    var filenames: (pathOrPattern: string, options?: StreamOptions & { pollInterval?: number }) => FilenamesSource;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export class FilenamesSource extends Source<string> {
  private readonly seen = new Set<string>();
  private readonly dir: string;
  private readonly pattern: RegExp | undefined;
  private readonly pollInterval: number;

  constructor(readonly target: string, options: StreamOptions & { pollInterval?: number } = {}) {
    super(options);
    const isGlob = /[*?]/.test(basename(target));
    this.dir = isGlob ? dirname(target) : target;
    this.pattern = isGlob ? globToRegExp(basename(target)) : undefined;
    this.pollInterval = options.pollInterval ?? 100;
  }

  override get kind(): string {
    return 'filenames';
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      const names = (await readdir(this.dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.') && (this.pattern === undefined || this.pattern.test(e.name))) // as glob: no dotfiles
        .map((e) => e.name)
        .sort();
      for (const name of names) {
        if (this.seen.has(name) || this.stopped) continue;
        this.seen.add(name);
        await this.push(join(this.dir, name));
      }
      await this.pause(this.pollInterval);
    }
  }
}

Stream.filenames = (target: string, options?: StreamOptions & { pollInterval?: number }) => new FilenamesSource(target, options);
