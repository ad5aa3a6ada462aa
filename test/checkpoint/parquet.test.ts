import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore, parquetToTable, tableToParquet, writeCheckpoint } from '../../src/checkpoint/index.js';
import { pipelineA, rowsOf, sampleTable, schemaOf, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('Parquet through parquet-wasm', () => {
  it('round-trips utf8, dictionary utf8, float64, int32, timestamp, bool and nulls exactly', () => {
    const t = sampleTable(40, 3);
    for (const compression of ['snappy', 'zstd', 'uncompressed', 'lz4'] as const) {
      const bytes = tableToParquet(t, { compression });
      const back = parquetToTable(bytes);
      expect(schemaOf(back)).toEqual(schemaOf(t));
      expect(rowsOf(back)).toEqual(rowsOf(t));
    }
  });

  it('round-trips an empty table, non-nullable fields and multi-batch tables', () => {
    const schema = new arrow.Schema([new arrow.Field('x', new arrow.Float64(), false), new arrow.Field('s', new arrow.Utf8(), true)]);
    const empty = new arrow.Table(schema);
    const back = parquetToTable(tableToParquet(empty));
    expect(back.numRows).toBe(0);
    expect(schemaOf(back)).toEqual(schemaOf(empty));

    const multi = sampleTable(10, 0).concat(sampleTable(7, 10));
    expect(multi.batches.length).toBe(2);
    const back2 = parquetToTable(tableToParquet(multi));
    expect(rowsOf(back2)).toEqual(rowsOf(multi));
  });

  it('rejects bytes that are not Parquet', () => {
    expect(() => parquetToTable(new TextEncoder().encode('not parquet at all'))).toThrow();
    const good = tableToParquet(sampleTable(10));
    expect(() => parquetToTable(good.slice(0, good.length - 9))).toThrow();
    // parquet-wasm still works after errors.
    expect(parquetToTable(good).numRows).toBe(10);
  });

  it('writes plain Parquet that DuckDB reads with the right rows and types', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const store = new FsCheckpointStore(t.dir);
    const table = sampleTable(1000, 0);
    await writeCheckpoint(store, { job: 'duck', sources: {}, nodes: { window: { kind: 'sdfWindow', state: table } }, pipeline: pipelineA });
    const file = join(t.dir, 'data', '1', 'window.parquet');

    const db = await DuckDBInstance.create();
    const conn = await db.connect();
    try {
      const types = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
      expect(types.getRowObjectsJson().map((r) => [r.column_name, r.column_type])).toEqual([
        ['key', 'VARCHAR'],
        ['value', 'DOUBLE'],
        ['count', 'INTEGER'],
        ['ts', 'TIMESTAMP'],
        ['flag', 'BOOLEAN'],
        ['name', 'VARCHAR'],
      ]);
      const agg = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(key)::INTEGER AS keys, sum(value) AS total, sum(count)::BIGINT AS counts,
                min(ts)::VARCHAR AS first_ts, count(flag)::INTEGER AS flags, max(name) AS max_name
           FROM read_parquet('${file}')`,
      );
      const rows = rowsOf(table);
      const expected = {
        n: 1000,
        keys: rows.filter((r) => r.key !== null).length,
        total: rows.reduce((a, r) => a + ((r.value as number | null) ?? 0), 0),
        counts: String(rows.reduce((a, r) => a + (r.count as number), 0)),
        first_ts: '2024-01-01 00:00:00',
        flags: rows.filter((r) => r.flag !== null).length,
        max_name: 'n999',
      };
      expect(agg.getRowObjectsJson()[0]).toEqual(expected);
      const some = await conn.runAndReadAll(`SELECT key, value, count, flag, name FROM read_parquet('${file}') ORDER BY count LIMIT 5`);
      expect(some.getRowObjectsJson()).toEqual(
        rows.slice(0, 5).map((r) => ({ key: r.key, value: r.value, count: r.count, flag: r.flag, name: r.name })),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe('dictionary columns sharing one type instance', () => {
  it('are written with distinct dictionary ids', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const t = new arrow.Table({
      a: arrow.vectorFromArray(['x', 'y', null, 'x'], type),
      b: arrow.vectorFromArray(['p', null, 'q', 'q'], type),
    });
    expect(() => arrow.tableToIPC(t)).toThrow(/same Id/);
    const back = parquetToTable(tableToParquet(t));
    expect(rowsOf(back)).toEqual(rowsOf(t));
    expect(schemaOf(back)).toEqual(schemaOf(t));
  });
});
