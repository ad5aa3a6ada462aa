import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonLogger, runJob, setLogger, Stream, type OpenStoreOptions } from '../../src/index.js';

const s3Secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const s3KeyId = 'AKIAIOSFODNN7EXAMPLE';
const azureKey = Buffer.from('AZURE-SECRET-ACCOUNT-KEY-789').toString('base64');
const unreachable: Array<[string, string, OpenStoreOptions, string[]]> = [
  ['S3', 's3://bucket/jobs/secretive', { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: s3KeyId, secretAccessKey: s3Secret }, maxAttempts: 1 }, [s3Secret, s3KeyId]],
  ['Azure Blob', 'azblob://c/jobs/secretive', { endpoint: 'http://127.0.0.1:1/acct', account_name: 'acct', account_key: azureKey, maxAttempts: 1 }, [azureKey]],
];

describe.each(unreachable)('credentials (%s)', (_name, store, storeOptions, secrets) => {
  it('never appear in logs, errors or an inspected store, even when the service is unreachable', async () => {
    const lines: string[] = [];
    setLogger({ log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) });
    try {
      const source = Stream.fromIterable([1, 2, 3]);
      source.accumulate((a, x) => a + x).name('total');
      const job = runJob(source, {
        name: 'secretive',
        handleSignals: false,
        checkpoint: { store, storeOptions },
      });
      const error = await job.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const everything = [...lines, String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
      expect(everything).toMatch(/127\.0\.0\.1:1|ECONNREFUSED|connect/);
      for (const secret of secrets) expect(everything).not.toContain(secret);
    } finally {
      setLogger(jsonLogger());
    }
  });
});
