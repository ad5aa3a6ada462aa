/**
 * Checkpoint storage benchmark: a 1M-row window (dictionary utf8 key from 100 strings, float64
 * value, timestamp ms) written and read as bare Parquet (parquet-wasm) and as a one-node
 * checkpoint (writeCheckpoint / loadCheckpoint) on each store and backend side by side: the native
 * filesystem and S3 stores, and OpenDAL's fs, S3 (both s3rver) and Azure Blob (Azurite).
 *
 *   npx tsx bench/checkpoint/store-bench.ts [rows=1000000] [reps=3]
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import {
  FsCheckpointStore,
  loadCheckpoint,
  openDalStore,
  pruneCheckpoints,
  parquetToTable,
  S3CheckpointStore,
  tableToParquet,
  writeCheckpoint,
  type CheckpointStore,
  type ParquetCompression,
} from '../../src/checkpoint/index.js';
import { startAzurite } from '../../test/fixtures/azurite.js';
import { startS3 } from '../../test/fixtures/s3.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REPS = Number(process.argv[3] ?? 3);
const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

function buildTable(rows: number): arrow.Table {
  const keys = Array.from({ length: 100 }, (_, i) => `instrument-${String(i).padStart(3, '0')}`);
  const codes = new Int32Array(rows);
  const values = new Float64Array(rows);
  const ts = new BigInt64Array(rows);
  const t0 = Date.UTC(2024, 0, 1);
  // mulberry32: fixed seed, values with full float entropy (a pessimistic case for compression).
  let a = 12345;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < rows; i++) {
    codes[i] = Math.floor(random() * 100);
    values[i] = random() * 1000;
    ts[i] = BigInt(t0 + i * 10);
  }
  const dictionary = arrow.vectorFromArray(keys, new arrow.Utf8());
  const keyType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return new arrow.Table({
    key: arrow.makeVector(arrow.makeData({ type: keyType, length: rows, data: codes, dictionary })),
    value: arrow.makeVector(values),
    ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMillisecond(), length: rows, data: ts })),
  });
}

async function median(fn: () => Promise<void> | void): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] / 1000;
}

interface Row {
  what: string;
  write: number;
  read: number;
  bytes: number;
}

async function main(): Promise<void> {
  const mem0 = process.memoryUsage();
  const table = buildTable(ROWS);
  const memTable = process.memoryUsage();
  console.log(`# checkpoint store benchmark: ${ROWS.toLocaleString('en')} rows, median of ${REPS} after a warm-up`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; table schema ${String(table.schema)}\n`);

  // Codec comparison, bare parquet-wasm.
  const codecs: Array<[ParquetCompression, boolean | 'auto']> = [
    ['snappy', 'auto'],
    ['snappy', true],
    ['snappy', false],
    ['uncompressed', 'auto'],
    ['uncompressed', true],
    ['zstd', 'auto'],
    ['zstd', true],
    ['lz4', 'auto'],
  ];
  console.log('## Parquet writer options (bare parquet-wasm, in memory)\n');
  console.log('| compression | dictionary | write s | read s | size MB |');
  console.log('|---|---|---:|---:|---:|');
  for (const [compression, dictionary] of codecs) {
    let bytes: Uint8Array = new Uint8Array();
    const write = await median(() => {
      bytes = tableToParquet(table, { compression, dictionary });
    });
    const read = await median(() => {
      parquetToTable(bytes);
    });
    const dict = dictionary === 'auto' ? 'auto (strings only)' : dictionary ? 'all columns' : 'off';
    const isDefault = compression === 'snappy' && dictionary === 'auto' ? ' **(default)**' : '';
    console.log(`| ${compression}${isDefault} | ${dict} | ${write.toFixed(3)} | ${read.toFixed(3)} | ${mb(bytes.byteLength)} |`);
  }

  const rows: Row[] = [];
  let bare: Uint8Array = new Uint8Array();
  const bareWrite = await median(() => {
    bare = tableToParquet(table);
  });
  let back: arrow.Table | undefined;
  const bareRead = await median(() => {
    back = parquetToTable(bare);
  });
  if (back!.numRows !== ROWS) throw new Error('bare read lost rows');
  rows.push({ what: 'bare parquet-wasm (memory)', write: bareWrite, read: bareRead, bytes: bare.byteLength });

  // The same bytes through a file: encode + write + fsync, and read + decode. A checkpoint must do
  // this I/O too, so this is the like-for-like baseline.
  const bareDir = await mkdtemp(join(tmpdir(), 'sf-bench-bare-'));
  const barePath = join(bareDir, 'window.parquet');
  const bareFileWrite = await median(async () => {
    const file = await open(barePath, 'w');
    await file.writeFile(tableToParquet(table));
    await file.sync();
    await file.close();
  });
  const bareFileRead = await median(async () => {
    back = parquetToTable(await readFile(barePath));
  });
  await rm(bareDir, { recursive: true, force: true });
  rows.push({ what: 'bare parquet-wasm (file: write+fsync / read)', write: bareFileWrite, read: bareFileRead, bytes: bare.byteLength });

  const input = {
    job: 'bench',
    sources: { ticks: { kind: 'kafka', topic: 'ticks', partitions: [{ partition: 0, offset: String(ROWS) }] } },
    nodes: { window: { kind: 'sdfWindow', state: table } },
    pipeline: { description: { nodes: [{ id: 'window', kind: 'sdfWindow' }], edges: [] } },
  };
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await fn();
    return (performance.now() - t) / 1000;
  };
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  interface Target {
    what: string;
    store: CheckpointStore;
    write: number[];
    read: number[];
    put: number[];
    get: number[];
  }

  const dir = await mkdtemp(join(tmpdir(), 'sf-bench-'));
  const [s3, azurite] = await Promise.all([startS3(), startAzurite()]);
  const s3store = new S3CheckpointStore({ bucket: s3.bucket, prefix: 'bench', ...s3.clientConfig() });
  const target = (what: string, store: CheckpointStore): Target => ({ what, store, write: [], read: [], put: [], get: [] });
  const targets = [
    target('filesystem, native (tmp)', new FsCheckpointStore(join(dir, 'native'))),
    target('filesystem, OpenDAL fs (tmp)', openDalStore(pathToFileURL(join(dir, 'opendal')).href)),
    target('S3, native (s3rver, loopback)', s3store),
    target('S3, OpenDAL (s3rver, loopback)', openDalStore(`s3://${s3.bucket}/bench-opendal`, s3.clientConfig())),
    target('Azure Blob, OpenDAL (Azurite, loopback)', openDalStore(`azblob://${azurite.container}/bench`, azurite.storeOptions())),
  ];
  const storeRows: Array<{ what: string; write: number; read: number; put: number; get: number }> = [];
  try {
    // Rounds alternate the stores (reversed every other round), so load on a shared machine
    // falls on all of them alike; the first round is a warm-up.
    for (let round = 0; round <= REPS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        let loaded: Awaited<ReturnType<typeof loadCheckpoint>> = null;
        const write = await time(() => writeCheckpoint(t.store, input));
        const read = await time(async () => {
          loaded = await loadCheckpoint(t.store, { strict: true });
        });
        if ((loaded!.states.window as arrow.Table).numRows !== ROWS) throw new Error(`${t.what}: lost rows`);
        await pruneCheckpoints(t.store, 1);
        if (round === 0) continue;
        t.write.push(write);
        t.read.push(read);
      }
    }
    // The store alone, on the same bytes: cheaper, so three times the rounds.
    for (let round = 0; round <= 3 * REPS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const put = await time(() => t.store.put('bench/raw.parquet', bare));
        const get = await time(() => t.store.get('bench/raw.parquet'));
        if (round === 0) continue;
        t.put.push(put);
        t.get.push(get);
      }
    }
  } finally {
    s3store.destroy();
    await Promise.all([s3.stop(), azurite.stop(), rm(dir, { recursive: true, force: true })]);
  }
  for (const t of targets) {
    rows.push({ what: `checkpoint → ${t.what}`, write: med(t.write), read: med(t.read), bytes: bare.byteLength });
    storeRows.push({ what: t.what, write: med(t.write), read: med(t.read), put: med(t.put), get: med(t.get) });
  }

  console.log(`\n## Write and read of a one-node checkpoint\n`);
  console.log('| path | write s | restore s | write ÷ bare memory | write ÷ bare file | restore ÷ bare memory | restore ÷ bare file | MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    console.log(`| ${r.what} | ${r.write.toFixed(3)} | ${r.read.toFixed(3)} | ${x(r.write, bareWrite)} | ${x(r.write, bareFileWrite)} | ${x(r.read, bareRead)} | ${x(r.read, bareFileRead)} | ${mb(r.bytes)} |`);
  }
  const mem = process.memoryUsage();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`\n## Stores side by side (median of ${REPS} rounds; put/get: the store alone on the ${bare.byteLength.toLocaleString('en')}-byte Parquet file, median of ${3 * REPS})\n`);
  console.log('| store | checkpoint write s | restore s | put s | get s |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of storeRows) console.log(`| ${r.what} | ${r.write.toFixed(3)} | ${r.read.toFixed(3)} | ${r.put.toFixed(3)} | ${r.get.toFixed(3)} |`);
  console.log('\n## Memory\n');
  console.log('| measure | MB |');
  console.log('|---|---:|');
  console.log(`| RSS at start | ${mb(mem0.rss)} |`);
  console.log(`| RSS after building the table | ${mb(memTable.rss)} |`);
  console.log(`| Arrow table (arrayBuffers growth) | ${mb(memTable.arrayBuffers - mem0.arrayBuffers)} |`);
  console.log(`| RSS at end | ${mb(mem.rss)} |`);
  console.log(`| peak RSS (maxRSS) | ${mb(maxRss)} |`);
  console.log(`| JS heap used at end | ${mb(mem.heapUsed)} |`);
  console.log(`| ArrayBuffers at end | ${mb(mem.arrayBuffers)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
