import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitOwnership, loadCheckpoint, newestClaim, openStore, type CheckpointStore } from '../../src/index.js';
import { startAzurite, type AzuriteServer } from '../fixtures/azurite.js';
import { startS3, type S3Server } from '../fixtures/s3.js';

const script = new URL('./fixtures/writer-job.ts', import.meta.url).pathname;
const NEVER = String(1e9);

type Line = { restored?: number | null; committed?: number; pausing?: number };

/** A writer-job.ts child whose stdout lines can be waited for. */
class Writer {
  readonly lines: Line[] = [];
  stderr = '';
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(target: string, args: { leaseMs: number; waitMs: number; every: string; pauseAt?: number }, env: NodeJS.ProcessEnv) {
    const argv = [script, target, String(args.leaseMs), String(args.waitMs), args.every, ...(args.pauseAt ? [String(args.pauseAt)] : [])];
    this.child = spawn(process.execPath, ['--import', 'tsx', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let buffered = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) if (p.trim()) this.lines.push(JSON.parse(p) as Line);
      for (const w of this.waiters) w();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.exit.then(() => this.waiters.forEach((w) => w()));
  }

  /** The first stdout line matching `pred`; fails if the child exits first (bounded, never a fixed sleep). */
  async waitFor(pred: (l: Line) => boolean, what: string): Promise<Line> {
    let exited = false;
    void this.exit.then(() => (exited = true));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (exited || Date.now() > deadline) throw new Error(`child never printed ${what}; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        const done = () => (this.waiters.delete(done), r());
        this.waiters.add(done);
        setTimeout(done, 500);
      });
    }
  }

  committed(): number[] {
    return this.lines.flatMap((l) => (l.committed !== undefined ? [l.committed] : []));
  }

  signal(s: NodeJS.Signals): void {
    this.child.kill(s);
  }
}

let s3: S3Server;
let azurite: AzuriteServer;
let dir: string;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3(), startAzurite()]);
  dir = mkdtempSync(join(tmpdir(), 'sf-one-writer-'));
});
afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const backends: Array<[string, () => { target: string; env: NodeJS.ProcessEnv; store: () => CheckpointStore }]> = [
  ['filesystem', () => ({ target: join(dir, 'store'), env: {}, store: () => openStore(join(dir, 'store')) })],
  [
    's3rver',
    () => {
      const options = s3.clientConfig();
      const target = `s3://${s3.bucket}/jobs/one-writer`;
      return { target, env: { WRITER_JOB_S3: JSON.stringify(options) }, store: () => openStore(target, options) };
    },
  ],
  [
    'Azurite (OpenDAL)',
    () => {
      const options = azurite.storeOptions();
      const target = `azblob://${azurite.container}/jobs/one-writer`;
      return { target, env: { WRITER_JOB_S3: JSON.stringify(options) }, store: () => openStore(target, options) };
    },
  ],
];

describe.each(backends)('one writer per store, real child processes (%s)', (_name, setup) => {
  it('refuses a second process naming the holder, takes over from a SIGKILLed one at once, and never restores a paused zombie\'s late commit', async () => {
    const { target, env, store: open } = setup();
    const store = open();

    // A holds the store; B, a second process, is refused with the holder's name.
    const a = new Writer(target, { leaseMs: 60_000, waitMs: 0, every: '20' }, env);
    await a.waitFor((l) => l.committed !== undefined, 'a commit');
    const holderA = (await newestClaim(store))!.holder;
    const b = new Writer(target, { leaseMs: 60_000, waitMs: 300, every: '20' }, env);
    expect((await b.exit).code).toBe(1);
    expect(b.stderr).toContain('StoreLockedError');
    expect(b.stderr).toContain(holderA);
    expect(b.lines).toEqual([]);

    // A is SIGKILLed; C takes over at once (waitMs 0, though A's 60 s lease has not expired).
    a.signal('SIGKILL');
    await a.exit;
    const c = new Writer(target, { leaseMs: 1500, waitMs: 0, every: '20', pauseAt: 3 }, env);
    const restoredC = (await c.waitFor((l) => l.restored !== undefined, 'restored')).restored!;
    expect(restoredC).toBeGreaterThanOrEqual(Math.max(...a.committed()));

    // C stops itself after its lease check, before its third commit marker: a zombie.
    const zombieN = (await c.waitFor((l) => l.pausing !== undefined, 'pausing')).pausing!;
    const beforePause = Math.max(...c.committed());
    // D waits for C's lease to expire, takes over, restores C's last real commit, and dies before committing.
    const d = new Writer(target, { leaseMs: 60_000, waitMs: 30_000, every: NEVER }, env);
    expect((await d.waitFor((l) => l.restored !== undefined, 'restored')).restored).toBe(beforePause);
    d.signal('SIGKILL');
    await d.exit;

    // C wakes up and writes its commit marker under the stale epoch, then fails, fenced.
    c.signal('SIGCONT');
    const cExit = await c.exit;
    expect(cExit.code).toBe(1);
    expect(c.stderr).toMatch(/WriterFencedError: Writer .* was fenced/);
    expect(c.committed()).toContain(zombieN);
    expect(await store.get(`commits/${zombieN}.json`)).toBeDefined();
    expect((await commitOwnership(store)).fenced).toContain(zombieN);
    expect((await loadCheckpoint(store))?.checkpoint).toBe(beforePause);

    // E, the next process, restores the last real commit, not the zombie's newer one.
    const e = new Writer(target, { leaseMs: 60_000, waitMs: 0, every: NEVER }, env);
    expect((await e.waitFor((l) => l.restored !== undefined, 'restored')).restored).toBe(beforePause);
    e.signal('SIGTERM');
    expect((await e.exit).code).toBe(0);
    const last = await loadCheckpoint(store);
    expect(last!.checkpoint).toBeGreaterThan(zombieN);
    expect((await commitOwnership(store)).fenced).toEqual([]); // pruned as a leftover
  }, 480_000);
});
