import { open, type FileHandle } from 'node:fs/promises';
import type { Seekable } from '../core/stateful.js';
import { Stream, type StreamOptions } from '../core/stream.js';
import { Source } from './source.js';

export interface TextFileOptions extends StreamOptions {
  /** Read from the beginning (default) or only lines appended after the start. */
  fromStart?: boolean;
  /** Keep waiting for appended lines like `tail -f` (default), or finish at the end of the file. */
  follow?: boolean;
  /** How often to look for appended data while following, in milliseconds. */
  pollInterval?: number;
}

declare module '../core/stream.js' {
  namespace Stream {
    /** Emit the lines of a text file (without the newline); its position is the byte offset of the next line. */
    var fromTextFile: (path: string, options?: TextFileOptions) => TextFileSource;
  }
}

const CHUNK = 1 << 16;
const NEWLINE = 0x0a;

export class TextFileSource extends Source<string> implements Seekable<{ offset: number }> {
  private offset: number | undefined;
  private readonly fromStart: boolean;
  private readonly follow: boolean;
  private readonly pollInterval: number;

  constructor(readonly path: string, options: TextFileOptions = {}) {
    super(options);
    this.fromStart = options.fromStart ?? true;
    this.follow = options.follow ?? true;
    this.pollInterval = options.pollInterval ?? 100;
  }

  override get kind(): string {
    return 'fromTextFile';
  }

  position(): { offset: number } {
    return { offset: this.offset ?? 0 };
  }

  seek(p: { offset: number }): void {
    this.offset = p.offset;
  }

  protected async run(): Promise<void> {
    const file = await open(this.path, 'r');
    try {
      if (this.offset === undefined) this.offset = this.fromStart ? 0 : (await file.stat()).size;
      await this.readLines(file);
    } finally {
      await file.close();
    }
  }

  private async readLines(file: FileHandle): Promise<void> {
    let pending = Buffer.alloc(0); // bytes after the last newline, not yet a whole line
    const chunk = Buffer.allocUnsafe(CHUNK);
    while (!this.stopped) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK, this.offset! + pending.length);
      if (bytesRead === 0) {
        if (!this.follow) {
          if (pending.length > 0) await this.emitLine(pending, 0, pending.length, pending.length);
          return;
        }
        await this.pause(this.pollInterval);
        continue;
      }
      const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE, start); nl !== -1 && !this.stopped; nl = data.indexOf(NEWLINE, start)) {
        await this.emitLine(data, start, nl, nl + 1 - start);
        start = nl + 1;
      }
      pending = Buffer.from(data.subarray(start));
    }
  }

  /** The offset moves past the line once it is emitted: the position is always the next line to emit. */
  private emitLine(data: Buffer, start: number, end: number, bytes: number): Promise<void> {
    const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
    return this.push(data.toString('utf8', start, stop), () => void (this.offset! += bytes));
  }
}

Stream.fromTextFile = (path: string, options?: TextFileOptions) => new TextFileSource(path, options);
