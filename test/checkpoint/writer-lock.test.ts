import { FsCheckpointStore } from '../../src/checkpoint/index.js';
import { tempDir } from './helpers.js';
import { defineWriterLockSuite, onCleanup } from './writer-lock-suite.js';

defineWriterLockSuite('the filesystem', async () => {
  const { dir, cleanup } = await tempDir('sf-lock-');
  onCleanup(cleanup);
  return new FsCheckpointStore(dir);
});
