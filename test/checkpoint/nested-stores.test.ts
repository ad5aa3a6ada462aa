import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, openStore, runJob, Stream, type CheckpointStore, type OpenStoreOptions } from '../../src/index.js';
import { startS3, type S3Server } from '../fixtures/s3.js';
import { tempDir } from './helpers.js';

let s3: S3Server;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await s3?.stop();
});

function job(name: string, store: string | CheckpointStore, n = 50, storeOptions?: OpenStoreOptions) {
  const source = Stream.fromIterable(Array.from({ length: n }, (_, i) => i)).name('numbers');
  source.accumulate((a: number, x: number) => a + x, { start: 0 }).name('total');
  return runJob(source, { name, handleSignals: false, checkpoint: { store, storeOptions, every: { elements: 5 }, keep: 1 } });
}

const backends: Array<[string, () => Promise<{ root: string; options?: OpenStoreOptions }>]> = [
  [
    'filesystem',
    async () => {
      const t = await tempDir('sf-nested-');
      cleanups.push(t.cleanup);
      return { root: t.dir };
    },
  ],
  ['s3rver', async () => ({ root: `s3://${s3.bucket}/nested-${Math.random().toString(36).slice(2)}`, options: s3.clientConfig() })],
];
const under = (root: string, ...parts: string[]) => (root.startsWith('s3://') ? [root, ...parts].join('/') : join(root, ...parts));

describe.each(backends)('nested job stores (%s)', (_name, setup) => {
  it('a store inside another job\'s store is refused, naming the outer job', async () => {
    const { root, options } = await setup();
    await job('x', root, 50, options).done;
    await expect(job('x/data/1', under(root, 'data', '1'), 50, options).done).rejects.toThrow(/lies inside the store of job "x"/);
    await expect(job('deeper', under(root, 'data', '1', 'y'), 50, options).done).rejects.toThrow(/lies inside the store of job "x"/);
    expect((await loadCheckpoint(openStore(root, options)))!.states.total).toEqual({ hasState: true, state: 1225 });
  });

  it('an outer job\'s retention never deletes the files of a store that was there first', async () => {
    const { root, options } = await setup();
    const innerUrl = under(root, 'data', '1');
    await job('inner', innerUrl, 20, options).done;
    const inner = openStore(innerUrl, options);
    const before = (await inner.list('')).sort();
    await job('outer', root, 100, options).done; // keep 1: prunes data/1/ of its own
    expect((await inner.list('')).sort()).toEqual(before);
    expect((await loadCheckpoint(inner))!.states.total).toEqual({ hasState: true, state: 190 });
  });

  it('a store belongs to one job: another job name is refused', async () => {
    const { root, options } = await setup();
    await job('first', root, 10, options).done;
    await expect(job('second', root, 10, options).done).rejects.toThrow(/belongs to job "first", not "second"/);
  });
});
