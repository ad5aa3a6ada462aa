import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint, OpenDalCheckpointStore, OpenDalStoreError, openStore, writeCheckpoint } from '../../src/checkpoint/index.js';
import { AZURITE_KEY, startAzurite, type AzuriteServer } from '../fixtures/azurite.js';
import { pipelineA } from './helpers.js';
import { defineCheckpointSuite } from './suite.js';

let azurite: AzuriteServer;
let counter = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const enc = new TextEncoder();
const store = (prefix = `jobs/t${++counter}`) => openStore(`azblob://${azurite.container}/${prefix}`, azurite.storeOptions());

describe('Azure Blob through OpenDAL on Azurite', () => {
  it('keeps to its prefix, apart from a neighbour whose prefix starts the same', async () => {
    const s = store('jobs/a');
    const other = store('jobs/ab');
    expect(s).toBeInstanceOf(OpenDalCheckpointStore);
    expect(s.url).toBe(`azblob://${azurite.container}/jobs/a/`);
    await other.put('data/1/a.json', enc.encode('other'));
    await s.put('data/1/a.json', enc.encode('mine'));
    expect(await other.list('')).toEqual(['data/1/a.json']);
    expect(new TextDecoder().decode(await other.get('data/1/a.json'))).toBe('other');
    expect(await store('jobs/empty').list('')).toEqual([]);
  });

  it('a missing container is an error, not an empty store', async () => {
    const s = openStore('azblob://no-such-container/p', azurite.storeOptions());
    await expect(s.get('commits/1.json')).rejects.toThrow(/ContainerNotFound/);
    await expect(s.list('commits/')).rejects.toThrow(OpenDalStoreError);
    await expect(loadCheckpoint(s)).rejects.toThrow(/read azblob:\/\/no-such-container\/p\/commits\/|list azblob:\/\/no-such-container\/p\//);
  });

  it('never shows the account key or a SAS token: not in url, inspect, JSON or errors', async () => {
    const sas = 'sv=2021-08-06&ss=b&srt=sco&sp=rwdlac&se=2099-01-01&sig=SECRETSIGNATURE123';
    for (const s of [
      openStore(`azblob://no-such-container/p`, azurite.storeOptions()),
      openStore(`azblob://no-such-container/p`, { endpoint: azurite.endpoint, account_name: 'devstoreaccount1', sas_token: sas }),
    ]) {
      const err = await s.put('metadata/1.json', enc.encode('{}')).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(OpenDalStoreError);
      expect(err!.message).toContain('write azblob://no-such-container/p/metadata/1.json failed');
      const texts = [String(s), inspect(s, { depth: 10, showHidden: true }), JSON.stringify(s), s.url, String(err), err!.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)];
      for (const text of texts) {
        expect(text).not.toContain(AZURITE_KEY);
        expect(text).not.toContain('SECRETSIGNATURE123');
      }
    }
  });

  it('openStore takes the account from AZURE_STORAGE_CONNECTION_STRING, as the Azure tools do', async () => {
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString());
    try {
      const s = openStore(`azblob://${azurite.container}/env/job`);
      const n = await writeCheckpoint(s, { job: 'j', sources: {}, nodes: { a: { kind: 'accumulate', state: [1, 2] } }, pipeline: pipelineA });
      expect(n).toBe(1);
      expect((await loadCheckpoint(s))!.states.a).toEqual([1, 2]);
    } finally {
      vi.unstubAllEnvs();
    }
    const direct = openStore(`azblob://${azurite.container}/env/job`, { connection_string: azurite.connectionString() });
    expect((await direct.list('')).sort()).toEqual(['commits/1.json', 'data/1/a.json', 'metadata/1.json']);
  });
});

defineCheckpointSuite('Azure Blob (OpenDAL, Azurite)', { makeStore: async () => store() });
