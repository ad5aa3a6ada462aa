import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore, runJob, S3CheckpointStore, Stream } from '../../src/index.js';

const keyId = 'AKIAIOSFODNN7EXAMPLE';
const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';

function graph() {
  const source = Stream.fromIterable([1, 2, 3]).name('numbers');
  source.accumulate((a: number, x: number) => a + x).name('total');
  return source;
}

/** Everything util.inspect and JSON can reach from `x`. */
function reachable(x: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(x) ?? '';
  } catch (e) {
    json = String(e);
  }
  return [inspect(x, { depth: Infinity, showHidden: true, getters: true }), json, String(x)].join('\n');
}

describe('secrets', () => {
  it('storeOptions.credentials are not reachable from the job through util.inspect, JSON or String', async () => {
    const job = runJob(graph(), {
      name: 'secretive',
      handleSignals: false,
      checkpoint: { store: 's3://bucket/jobs/secretive', storeOptions: { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: keyId, secretAccessKey: secret }, maxAttempts: 1 } },
    });
    const everything = reachable(job);
    expect(everything).toContain('s3://bucket/jobs/secretive');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(keyId);
    await job.done.catch(() => {});
  });

  it('credentials pasted into a store URL are refused, and the URL is redacted in the error', () => {
    for (const url of [`s3://${keyId}:${secret}@bucket/prefix`, `s3://${secret}@bucket`, `gs://${keyId}:${secret}@bucket/p`]) {
      const error = (() => {
        try {
          openStore(url);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error?.message).toMatch(/credentials in a checkpoint store URL are refused \([a-z0-9]+:\/\/\*\*\*@bucket/);
      expect(reachable(error)).not.toContain(secret);
      expect(reachable(error)).not.toContain(keyId);
      expect(() => runJob(graph(), { name: 'pasted', checkpoint: { store: url } })).toThrow(/refused/);
    }
  });

  it('S3 prefixes with ".." or empty segments are refused with a clear error', () => {
    expect(() => openStore('s3://bucket/a//b')).toThrow(/Unsafe checkpoint (S3|store) prefix "a\/\/b": must not contain an empty segment/);
    expect(() => openStore('s3://bucket/jobs/../other')).toThrow(/Unsafe checkpoint (S3|store) prefix "jobs\/..\/other": must not contain a ".." segment/);
    expect(() => new S3CheckpointStore({ bucket: 'b', prefix: 'a/./b/' })).toThrow(/must not contain a "." segment/);
    expect(openStore('s3://bucket/jobs/ok/').url).toBe('s3://bucket/jobs/ok/');
  });
});
