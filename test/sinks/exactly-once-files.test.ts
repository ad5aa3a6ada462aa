import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { partsConsumer, visibleParts } from '../fixtures/parts.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';

const root = new URL('../..', import.meta.url).pathname;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const tmp = () => mkdtempSync(join(tmpdir(), 'sf-eo-'));

const ids = (text: string) => text.split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { id: number }).id);

describe('sinkToFiles (exactly-once JSON-lines parts)', () => {
  it('alone: writes its parts at the end of the input', async () => {
    const out = join(tmp(), 'out');
    const src = Stream.fromIterable(range(10));
    src.map((id) => ({ id })).sinkToFiles(out);
    await src.start();
    expect([...visibleParts(out).keys()]).toEqual(['part-000001.jsonl']);
    expect(ids(visibleParts(out).get('part-000001.jsonl')!)).toEqual(range(10));
  });

  it('under a job: a part per checkpoint, published only once that checkpoint committed', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const src = Stream.fromIterable(range(100)).name('n');
    const seenAtCommit: string[][] = [];
    src.map((id) => ({ id })).sinkToFiles(out).name('out');
    const job = runJob(src, { name: 'eo', handleSignals: false, checkpoint: { store: join(dir, 'cp'), every: { elements: 30 } } });
    // Nothing is visible before the first commit.
    src.sink((x) => void (x === 10 && seenAtCommit.push([...visibleParts(out).keys()])));
    await job.done;
    expect(seenAtCommit).toEqual([[]]);
    const parts = visibleParts(out);
    expect([...parts.values()].flatMap(ids)).toEqual(range(100));
    expect(parts.size).toBeGreaterThanOrEqual(2);
  });

  it('a crash between commit and publish loses nothing: the restored checkpoint still holds the part', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const build = () => {
      const src = Stream.fromIterable(range(50)).name('n');
      src.map((id) => ({ id })).sinkToFiles(out).name('out');
      return src;
    };
    const first = build();
    const job = runJob(first, { name: 'eo', handleSignals: false, checkpoint: { store: join(dir, 'cp') } });
    await job.done; // final checkpoint 1 holds part 1 and published it
    const published = visibleParts(out);
    // As if the process died after the commit marker and before the publish: the part is gone.
    for (const name of published.keys()) rmSync(join(out, name));
    await runJob(build(), { name: 'eo', handleSignals: false, checkpoint: { store: join(dir, 'cp') } }).done;
    expect(visibleParts(out)).toEqual(published);
  });

  it('SIGKILLed at random points and restarted: a consumer polling the directory never sees a duplicate or a partial file', async () => {
    const dir = tmp();
    const n = 6000;
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, range(n).map((id) => JSON.stringify({ id }) + '\n').join(''));
    const out = join(dir, 'out');
    const store = join(dir, 'cp');
    const job = join(root, 'test/sinks/fixtures/exactly-once-job.mjs');

    // The consumer: every file it ever sees must be whole JSON lines, keep its content, and add only new ids.
    const consumer = partsConsumer(out);
    const stopConsumer = consumer.start();

    // Checkpoints on time, not element counts: a restarted run cuts its parts at other elements than the
    // killed one did, so a part published before its checkpoint committed would show as changed or duplicated.
    let kills = 0;
    for (let run = 0; run < 40; run++) {
      const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'run', job, '--checkpoint', store, '--every', '60ms', '--', input, out], { cwd: root });
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      // Kill after a random number (1-3) of this run's commits, at a random moment of the next interval.
      const killAfter = 1 + Math.floor(Math.random() * 3);
      let commits = 0;
      let timer: NodeJS.Timeout | undefined;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        commits = (stdout.match(/committed\n/g) ?? []).length;
        if (commits >= killAfter && timer === undefined && kills < 12) timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(timer);
      if (code === 0) break;
      expect(code, stderr).toBeNull(); // killed, not failed
      kills++;
    }
    stopConsumer();
    consumer.look();
    expect(consumer.problems).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(5);
    const all = [...consumer.seen.values()].flatMap(ids);
    expect(all.length).toBe(n); // no duplicates...
    expect(new Set(all).size).toBe(n); // ...and nothing lost
    expect(all.sort((a, b) => a - b)).toEqual(range(n));
  }, 600_000);
});
