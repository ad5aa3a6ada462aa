import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListSink, SinkNode, Stream, TextFileSink } from './streamframe.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sf-sinks-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sink', () => {
  it('calls the function on every element; synchronous emit returns undefined', () => {
    const s = new Stream<number>();
    const seen: number[] = [];
    const k = s.sink((x) => seen.push(x * 10));
    expect(k).toBeInstanceOf(SinkNode);
    expect(s.emit(1)).toBeUndefined();
    s.emit(2);
    expect(seen).toEqual([10, 20]);
  });

  it('a sink returning a promise makes the emit return it', async () => {
    const s = new Stream<number>();
    const seen: number[] = [];
    s.sink(async (x) => {
      await new Promise((r) => setImmediate(r));
      seen.push(x);
    });
    const r = s.emit(1);
    expect(r).toBeInstanceOf(Promise);
    expect(seen).toEqual([]);
    await r;
    expect(seen).toEqual([1]);
  });

  it('a rejected promise rejects the emit with a NodeError', async () => {
    const s = new Stream<number>();
    s.sink(async () => {
      throw new Error('nope');
    });
    await expect(s.emit(1) as Promise<unknown>).rejects.toMatchObject({ name: 'NodeError', message: expect.stringMatching(/nope/) });
  });
});

describe('sinkToList', () => {
  it('returns the list it appends to', () => {
    const s = new Stream<string>();
    const list = s.sinkToList();
    s.emit('a');
    s.emit('b');
    expect(list).toEqual(['a', 'b']);
    expect(s.downstreams[0]).toBeInstanceOf(ListSink);
  });
});

describe('sinkToTextFile', () => {
  it('writes strings as they are and other values as JSON, one per line; close() flushes', async () => {
    const path = join(dir, 'out.txt');
    const s = new Stream<unknown>();
    const f = s.sinkToTextFile(path);
    expect(f).toBeInstanceOf(TextFileSink);
    s.emit('hello');
    s.emit({ a: 1 });
    s.emit(42);
    await f.close();
    expect(readFileSync(path, 'utf8')).toBe('hello\n{"a":1}\n42\n');
  });

  it('appends by default, overwrites with mode w, custom end', async () => {
    const path = join(dir, 'out.txt');
    const s1 = new Stream<string>();
    const f1 = s1.sinkToTextFile(path);
    s1.emit('one');
    await f1.close();
    const s2 = new Stream<string>();
    const f2 = s2.sinkToTextFile(path);
    s2.emit('two');
    await f2.close();
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
    const s3 = new Stream<string>();
    const f3 = s3.sinkToTextFile(path, { mode: 'w', end: ';' });
    s3.emit('x');
    s3.emit('y');
    await f3.close();
    expect(readFileSync(path, 'utf8')).toBe('x;y;');
  });

  it('a write error (missing directory) is raised by close() and the next emit instead of crashing the process', async () => {
    const s = new Stream<string>();
    const f = s.sinkToTextFile(join(dir, 'no-such-dir', 'out.txt'));
    s.emit('a'); // the open fails asynchronously
    await expect(f.close()).rejects.toThrow(/ENOENT/);
    expect(() => s.emit('b')).toThrow(/ENOENT/);
    f.destroy(); // no unhandled rejection either
  });
});
