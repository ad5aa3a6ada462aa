import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { azureConnectionString, OpenDalCheckpointStore, openDalTarget, openStore, S3CheckpointStore } from '../../src/checkpoint/index.js';

describe('checkpoint URLs served through OpenDAL', () => {
  it('map each scheme to its service, the authority to bucket/container/server, the path to the root', () => {
    const cases: Array<[string, string, Record<string, string>, string]> = [
      ['gs://bucket/jobs/a', 'gcs', { bucket: 'bucket', root: '/jobs/a/' }, 'gs://bucket/jobs/a/'],
      ['gcs://bucket', 'gcs', { bucket: 'bucket', root: '/' }, 'gcs://bucket/'],
      ['azblob://container/jobs/a/', 'azblob', { container: 'container', root: '/jobs/a/' }, 'azblob://container/jobs/a/'],
      ['abfs://fs1/p', 'azdls', { filesystem: 'fs1', root: '/p/' }, 'abfs://fs1/p/'],
      ['oss://b/p', 'oss', { bucket: 'b', root: '/p/' }, 'oss://b/p/'],
      ['cos://b/p', 'cos', { bucket: 'b', root: '/p/' }, 'cos://b/p/'],
      ['obs://b/p', 'obs', { bucket: 'b', root: '/p/' }, 'obs://b/p/'],
      ['webdav://host:8080/dav/jobs', 'webdav', { endpoint: 'http://host:8080', root: '/dav/jobs/' }, 'webdav://host:8080/dav/jobs/'],
      ['webdavs://host/dav', 'webdav', { endpoint: 'https://host', root: '/dav/' }, 'webdavs://host/dav/'],
      ['webhdfs://nn:9870/ckpt', 'webhdfs', { endpoint: 'http://nn:9870', root: '/ckpt/' }, 'webhdfs://nn:9870/ckpt/'],
      ['memory://x/p', 'memory', { root: '/p/' }, 'memory://x/p/'],
      ['s3://b/p', 's3', { bucket: 'b', root: '/p/', region: 'us-east-1' }, 's3://b/p/'],
    ];
    for (const [url, service, config, shown] of cases) {
      expect(openDalTarget(url, {}, {}), url).toEqual({ service, config, url: shown, maxAttempts: undefined });
    }
    expect(openDalTarget('ftp://host/x', {}, {})).toBeUndefined();
    expect(openDalTarget('relative/dir', {}, {})).toBeUndefined();
  });

  it('pass options through under OpenDAL names, translate the S3 store names, and let options win over URL and environment', () => {
    const t = openDalTarget(
      's3://b/p',
      { endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' }, forcePathStyle: false, maxAttempts: 3, disable_ec2_metadata: true },
      { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://env:1' },
    )!;
    expect(t.config).toEqual({
      bucket: 'b',
      root: '/p/',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      access_key_id: 'AK',
      secret_access_key: 'SK',
      session_token: 'ST',
      enable_virtual_host_style: 'true',
      disable_ec2_metadata: 'true',
    });
    expect(t.maxAttempts).toBe(3);
    expect(() => openDalTarget('gs://b/p', { credential: { not: 'a string' } }, {})).toThrow(/storeOptions.credential: OpenDAL options are strings/);
    // The CLI passes forcePathStyle to every store; only S3 has virtual-host addressing.
    expect(openDalTarget('azblob://c/p', { forcePathStyle: false, account_name: 'acct' }, {})!.config).toEqual({ container: 'c', root: '/p/', account_name: 'acct', endpoint: 'https://acct.blob.core.windows.net' });
  });

  it('take Azure and Google credentials from their standard environment variables', () => {
    const cs = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=S0VZ;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
    expect(openDalTarget('azblob://c/p', {}, { AZURE_STORAGE_CONNECTION_STRING: cs })!.config).toEqual({
      container: 'c',
      root: '/p/',
      account_name: 'devstoreaccount1',
      account_key: 'S0VZ',
      endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
    });
    expect(openDalTarget('azblob://c/p', {}, { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_SAS_TOKEN: 'sv=1&sig=x' })!.config).toMatchObject({
      account_name: 'acct',
      sas_token: 'sv=1&sig=x',
      endpoint: 'https://acct.blob.core.windows.net',
    });
    expect(azureConnectionString('AccountName=a;AccountKey=k;EndpointSuffix=core.chinacloudapi.cn')).toEqual({ account_name: 'a', account_key: 'k', endpoint: 'https://a.blob.core.chinacloudapi.cn' });
    expect(openDalTarget('gs://b/p', {}, { GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' })!.config.credential_path).toBe('/keys/sa.json');
  });

  it('refuse credentials in the URL and prefixes that escape', () => {
    expect(() => openStore('webdav://alice:s3cret@dav.example/jobs')).toThrow(/credentials in a checkpoint store URL are refused \(webdav:\/\/\*\*\*@dav.example\/jobs\)/);
    expect(() => openDalTarget('gs://b/jobs/../etc', {}, {})).toThrow(/Unsafe checkpoint store prefix/);
  });

  it('go one level up for the nesting check (parent)', () => {
    const s = openStore('azblob://c/jobs/a/b') as OpenDalCheckpointStore;
    expect(s.parent()!.url).toBe('azblob://c/jobs/a/');
    expect(s.parent()!.parent()!.parent()!.url).toBe('azblob://c/');
    expect(s.parent()!.parent()!.parent()!.parent()).toBeUndefined();
    const f = openStore('/tmp/x/root') as OpenDalCheckpointStore;
    expect(f.parent()!.url).toBe('file:///tmp/x');
  });

  it('refuse a URL without its bucket or server, and unknown schemes with the list of known ones', () => {
    expect(() => openDalTarget('gs:///p', {}, {})).toThrow(/needs a bucket \(gs:\/\/bucket\/prefix\)/);
    expect(() => openDalTarget('webdav:///p', {}, {})).toThrow(/needs a host/);
    expect(() => openStore('ftp://host/x')).toThrow(/unsupported checkpoint URL scheme in ftp:\/\/host\/x \(supported: file:, s3:\/\/, gs:\/\/, .*azblob:\/\//);
  });

  it('openStore serves every scheme through OpenDAL, file: and plain paths included; an S3 client of your own keeps the native store', () => {
    for (const url of ['file:///tmp/x', 'relative/dir', 's3://b/p', 'gs://b/p', 'azblob://c/p', 'memory://m/p', 'webdav://h/p']) expect(openStore(url), url).toBeInstanceOf(OpenDalCheckpointStore);
    expect(openStore('relative/dir').url).toBe(pathToFileURL(resolve('relative/dir')).href);
    expect(openStore('s3://b/p', { client: {} as never })).toBeInstanceOf(S3CheckpointStore);
  });
});
