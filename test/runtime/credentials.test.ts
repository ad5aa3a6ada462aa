import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonLogger, runJob, setLogger, Stream } from '../../src/index.js';

describe('credentials', () => {
  it('never appear in logs, errors or an inspected store, even when S3 is unreachable', async () => {
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const keyId = 'AKIAIOSFODNN7EXAMPLE';
    const lines: string[] = [];
    setLogger({ log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) });
    try {
      const source = Stream.fromIterable([1, 2, 3]);
      source.accumulate((a, x) => a + x).name('total');
      const job = runJob(source, {
        name: 'secretive',
        handleSignals: false,
        checkpoint: {
          store: 's3://bucket/jobs/secretive',
          storeOptions: { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: keyId, secretAccessKey: secret }, maxAttempts: 1 },
        },
      });
      const error = await job.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const everything = [...lines, String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
      expect(everything).toMatch(/127\.0\.0\.1:1|ECONNREFUSED|connect/);
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(keyId);
    } finally {
      setLogger(jsonLogger());
    }
  });
});
