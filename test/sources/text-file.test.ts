import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Stream, TextFileSource, VirtualClock } from '../core/nodes/streamframe.js';
import { until } from '../fixtures/wait.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sf-textfile-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('Stream.fromTextFile, follow: false', () => {
  it('emits the lines without newlines and ends at EOF', async () => {
    const src = Stream.fromTextFile(file('a.txt', 'one\ntwo\n\nthree\n'), { follow: false });
    expect(src).toBeInstanceOf(TextFileSource);
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(['one', 'two', '', 'three']);
    expect(src.position()).toEqual({ offset: 15 });
  });

  it('emits a partial last line (no newline) at EOF', async () => {
    const src = Stream.fromTextFile(file('a.txt', 'a\nbc'), { follow: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(['a', 'bc']);
    expect(src.position()).toEqual({ offset: 4 });
  });

  it('strips CRLF line ends', async () => {
    const src = Stream.fromTextFile(file('a.txt', 'a\r\nb\r\nc\r\n'), { follow: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(['a', 'b', 'c']);
    expect(src.position()).toEqual({ offset: 9 });
  });

  it('an empty file emits nothing', async () => {
    const src = Stream.fromTextFile(file('a.txt', ''), { follow: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual([]);
  });

  it('position is the byte offset of the next line (the one in flight not counted); seek resumes there', async () => {
    const path = file('a.txt', 'alpha\nbéta\ngamma\n'); // é is two bytes
    const src = Stream.fromTextFile(path, { follow: false });
    const positions: number[] = [];
    src.sink(() => void positions.push(src.position().offset));
    await src.start();
    expect(positions).toEqual([0, 6, 12]);
    expect(src.position()).toEqual({ offset: 18 });

    const again = Stream.fromTextFile(path, { follow: false });
    const out = again.sinkToList();
    again.seek({ offset: 6 });
    await again.start();
    expect(out).toEqual(['béta', 'gamma']);
  });

  it('lines longer than the read chunk and multi-byte characters across chunk boundaries', async () => {
    const long = 'é'.repeat(50_000); // 100 000 bytes, more than one 64 KiB chunk
    const src = Stream.fromTextFile(file('a.txt', `x\n${long}\ny\n`), { follow: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(['x', long, 'y']);
  });

  it('many lines across chunk boundaries', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const src = Stream.fromTextFile(file('a.txt', lines.join('\n') + '\n'), { follow: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual(lines);
  });

  it('waits for an asynchronous downstream (backpressure)', async () => {
    const src = Stream.fromTextFile(file('a.txt', 'a\nb\n'), { follow: false });
    const log: string[] = [];
    src.sink(async (x) => {
      log.push(`start ${x}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${x}`);
    });
    await src.start();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('fromStart: false reads only what comes after the start (follow: false reads nothing)', async () => {
    const src = Stream.fromTextFile(file('a.txt', 'old\n'), { follow: false, fromStart: false });
    const out = src.sinkToList();
    await src.start();
    expect(out).toEqual([]);
    expect(src.position()).toEqual({ offset: 4 });
  });
});

describe('Stream.fromTextFile, follow: true (virtual poll interval)', () => {
  it('reads existing lines, then follows appended ones; a partial line waits for its newline', async () => {
    const clock = new VirtualClock();
    const path = file('a.txt', 'a\n');
    const src = Stream.fromTextFile(path, { clock, pollInterval: 100 });
    const out = src.sinkToList();
    let finished = false;
    const run = src.start().then(() => (finished = true));
    await until(() => out.length === 1 && clock.pendingTimers === 1, 'first line');
    expect(out).toEqual(['a']);

    appendFileSync(path, 'b\nc');
    await clock.advance(100);
    await until(() => out.length === 2 && clock.pendingTimers === 1, 'second line');
    expect(out).toEqual(['a', 'b']); // "c" has no newline yet
    expect(src.position()).toEqual({ offset: 4 });

    appendFileSync(path, 'd\r\n');
    await clock.advance(100);
    await until(() => out.length === 3 && clock.pendingTimers === 1, 'third line');
    expect(out).toEqual(['a', 'b', 'cd']);
    expect(src.position()).toEqual({ offset: 8 });

    expect(finished).toBe(false);
    src.stop();
    await clock.advance(100);
    await run;
    expect(finished).toBe(true);
  });

  it('stop() ends a poll wait at once, even when the clock never moves again', async () => {
    const clock = new VirtualClock();
    const src = Stream.fromTextFile(file('waiting.txt', 'x\n'), { clock, pollInterval: 50 });
    const out = src.sinkToList();
    const run = src.start();
    await until(() => clock.pendingTimers === 1, 'source to wait');
    src.stop();
    await run; // no clock.advance: the stop itself ends the wait
    expect(out).toEqual(['x']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fromStart: false follows only lines appended after the start', async () => {
    const clock = new VirtualClock();
    const path = file('a.txt', 'old 1\nold 2\n');
    const src = Stream.fromTextFile(path, { clock, fromStart: false, pollInterval: 50 });
    const out = src.sinkToList();
    const run = src.start();
    await until(() => clock.pendingTimers === 1, 'source to wait');
    appendFileSync(path, 'new\n');
    await clock.advance(50);
    await until(() => out.length === 1, 'appended line');
    expect(out).toEqual(['new']);
    src.stop();
    await clock.advance(50);
    await run;
  });
});
