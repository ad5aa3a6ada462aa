import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilenamesSource, Stream, VirtualClock } from '../core/nodes/streamframe.js';
import { until } from '../fixtures/wait.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sf-filenames-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Stream.filenames', () => {
  it('emits existing files sorted, then each new one once, polling on the clock', async () => {
    const clock = new VirtualClock();
    writeFileSync(join(dir, 'b.txt'), '');
    writeFileSync(join(dir, 'a.csv'), '');
    mkdirSync(join(dir, 'sub')); // directories are not emitted
    const src = Stream.filenames(dir, { clock, pollInterval: 100 });
    expect(src).toBeInstanceOf(FilenamesSource);
    const out = src.sinkToList();
    const run = src.start();
    await until(() => clock.pendingTimers === 1, 'first scan');
    expect(out).toEqual([join(dir, 'a.csv'), join(dir, 'b.txt')]);

    writeFileSync(join(dir, 'c.csv'), '');
    await clock.advance(100);
    await until(() => out.length === 3 && clock.pendingTimers === 1, 'second scan');
    await clock.advance(100); // nothing new: nothing emitted again
    await until(() => clock.pendingTimers === 1, 'third scan');
    expect(out).toEqual([join(dir, 'a.csv'), join(dir, 'b.txt'), join(dir, 'c.csv')]);

    src.stop();
    await clock.advance(100);
    await run;
  });

  it('a dir/*.csv pattern selects files by name', async () => {
    const clock = new VirtualClock();
    for (const f of ['x.csv', 'y.txt', 'z.csv.bak', 'w.csv']) writeFileSync(join(dir, f), '');
    const src = Stream.filenames(join(dir, '*.csv'), { clock, pollInterval: 100 });
    const out = src.sinkToList();
    const run = src.start();
    await until(() => clock.pendingTimers === 1, 'first scan');
    expect(out).toEqual([join(dir, 'w.csv'), join(dir, 'x.csv')]);

    writeFileSync(join(dir, 'v.csv'), '');
    writeFileSync(join(dir, 'v.json'), '');
    await clock.advance(100);
    await until(() => out.length === 3, 'new csv');
    expect(out).toEqual([join(dir, 'w.csv'), join(dir, 'x.csv'), join(dir, 'v.csv')]);

    src.stop();
    await clock.advance(100);
    await run;
  });

  it('? matches one character and regex characters in the pattern are literal', async () => {
    const clock = new VirtualClock();
    for (const f of ['a1.csv', 'a12.csv', 'a(1).csv', 'b1xcsv']) writeFileSync(join(dir, f), '');
    const src = Stream.filenames(join(dir, 'a?.csv'), { clock });
    const out = src.sinkToList();
    const run = src.start();
    await until(() => clock.pendingTimers === 1, 'first scan');
    expect(out).toEqual([join(dir, 'a1.csv')]);
    src.stop();
    await clock.advance(1000);
    await run;
  });
});
