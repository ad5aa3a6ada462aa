import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, openStore, runJob, Stream, verifyCheckpoints } from '../../src/index.js';
import { startAzurite, type AzuriteServer } from '../fixtures/azurite.js';
import { startS3FaultProxy, type S3FaultProxy } from '../fixtures/s3-fault-proxy.js';
import { startS3, type S3Server } from '../fixtures/s3.js';

let s3: S3Server;
let azurite: AzuriteServer;
let proxy: S3FaultProxy;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3(), startAzurite()]);
  proxy = await startS3FaultProxy(s3.endpoint, { seed: 7 });
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.all([s3?.stop(), azurite?.stop()]);
});

function build(n: number) {
  const source = Stream.fromIterable(Array.from({ length: n }, (_, i) => i)).name('numbers');
  const out: unknown[] = [];
  source
    .accumulate((a, x) => a + x, { start: 0 })
    .name('total')
    .zip(source.slidingWindow(4).name('window'))
    .sink((t) => out.push(t));
  return { source, out };
}

describe('runJob on S3 (s3rver over HTTP) and Azure Blob (Azurite)', () => {
  it.each([
    ['s3://bucket/prefix', () => ({ url: `s3://${s3.bucket}/jobs/numbers`, storeOptions: s3.clientConfig() })],
    ['azblob://container/prefix', () => ({ url: `azblob://${azurite.container}/jobs/numbers`, storeOptions: azurite.storeOptions() })],
  ])('checkpoints to %s and restarts exactly where it stopped', async (_name, target) => {
    const { url, storeOptions } = target();
    const whole = build(300);
    await runJob(whole.source, { name: 'u', handleSignals: false }).done;

    const first = build(300);
    const job1 = runJob(first.source, { name: 'numbers', handleSignals: false, checkpoint: { store: url, storeOptions, every: { elements: 25 } } });
    first.source.sink((x) => void (x === 170 && job1.stop()));
    await job1.done;

    const second = build(300);
    const job2 = runJob(second.source, { name: 'numbers', handleSignals: false, checkpoint: { store: url, storeOptions, every: { elements: 25 } } });
    expect(await job2.restored).toBeGreaterThan(0);
    await job2.done;
    expect([...first.out, ...second.out]).toEqual(whole.out);
  });

  it('with S3 answering 503 and dropping connections, checkpoints commit after retries or not at all, and restore picks an intact one', async () => {
    const url = `s3://${s3.bucket}/jobs/faulty`;
    proxy.setRates({ slowDown: 0.1, reset: 0.03, resetAfter: 0.03 });
    const storeOptions = { ...s3.clientConfig(proxy.endpoint), maxAttempts: 4 };
    const g = build(400);
    const job = runJob(g.source, { name: 'faulty', handleSignals: false, checkpoint: { store: url, storeOptions, every: { elements: 20 } } });
    await job.done.catch(() => {}); // the final checkpoint may fail too: that is allowed, a commit marker is never half-written
    proxy.setRates({});
    expect(proxy.counters.slowDown + proxy.counters.reset + proxy.counters.resetAfter).toBeGreaterThan(0);

    const store = openStore(url, s3.clientConfig());
    const committed = (await listCheckpoints(store)).filter((c) => c.committed);
    expect(committed.length).toBeGreaterThan(0);
    for (const v of await verifyCheckpoints(store)) expect(v.status === 'ok' || v.status === 'uncommitted').toBe(true);
    const loaded = await loadCheckpoint(store);
    expect(loaded).not.toBeNull();
    // the restored state is exactly the state at its recorded position
    const position = loaded!.sources.numbers as number;
    expect(loaded!.states.total).toEqual({ hasState: position > 0, state: position > 0 ? (position * (position - 1)) / 2 : 0 });
  });
});
