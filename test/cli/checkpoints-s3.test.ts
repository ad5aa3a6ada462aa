import { execFile } from 'node:child_process';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob, Stream } from '../../src/index.js';
import { S3RVER_CREDENTIALS, startS3, type S3Server } from '../fixtures/s3.js';

const root = new URL('../..', import.meta.url).pathname;

let s3: S3Server;
let url: string;
/** The built CLI against s3rver: credentials from the standard environment variables, the endpoint as an option. */
const cli = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
    execFile(process.execPath, [join(root, 'dist/cli/main.js'), 'checkpoints', ...args, '--endpoint', s3.endpoint, url], { cwd: root, env }, (error, out, err) =>
      resolve({ code: error === null ? 0 : Number(error.code), out, err }),
    );
  });

beforeAll(async () => {
  s3 = await startS3();
  url = `s3://${s3.bucket}/jobs/cli`;
  const source = Stream.fromIterable(Array.from({ length: 50 }, (_, i) => i)).name('numbers');
  source.accumulate((a, x) => a + x, { start: 0 }).name('total');
  await runJob(source, { name: 'cli', handleSignals: false, checkpoint: { store: url, storeOptions: s3.clientConfig(), every: { elements: 10 } } }).done;
}, 60_000);

afterAll(async () => {
  await s3?.stop();
});

describe('streamframe checkpoints on S3 (s3rver)', () => {
  it('lists, shows, verifies (naming a damaged object) and prunes an s3:// store', async () => {
    const list = JSON.parse((await cli('list', '--json')).out) as { checkpoint: number; committed: boolean }[];
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list.every((c) => c.committed)).toBe(true);
    const newest = Math.max(...list.map((c) => c.checkpoint));

    const shown = JSON.parse((await cli('show', '--json')).out);
    expect(shown.checkpoint).toBe(newest);
    expect(shown.nodes.map((n: { id: string }) => n.id)).toEqual(['total']);

    expect((await cli('verify')).code).toBe(0);
    const client = new S3Client(s3.clientConfig());
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `jobs/cli/data/${newest}/total.json`, Body: '{"broken": ' }));
    client.destroy();
    const damaged = await cli('verify');
    expect(damaged.code).toBe(1);
    expect(damaged.out).toContain(`data/${newest}/total.json`);

    expect((await cli('prune', '--keep', '1')).code).toBe(0);
    const after = JSON.parse((await cli('list', '--json')).out) as { checkpoint: number; committed: boolean }[];
    expect(after.filter((c) => c.committed)).toHaveLength(1);
  }, 180_000);
});
