import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import type { CheckpointStore } from '../../src/checkpoint/index.js';

export async function tempDir(prefix = 'sf-ckpt-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type StoreEvent = { op: 'put' | 'delete'; path: string };

/** Wraps a store and records the order of puts and deletes. */
export function recordingStore(inner: CheckpointStore): CheckpointStore & { events: StoreEvent[] } {
  const events: StoreEvent[] = [];
  return {
    url: inner.url,
    events,
    async put(path, data) {
      await inner.put(path, data);
      events.push({ op: 'put', path });
    },
    get: (path) => inner.get(path),
    list: (prefix) => inner.list(prefix),
    async delete(path) {
      events.push({ op: 'delete', path });
      await inner.delete(path);
    },
  };
}

/** A store wrapper whose puts fail for paths matching `failOn`. */
export function failingStore(inner: CheckpointStore, failOn: (path: string) => boolean): CheckpointStore {
  return {
    url: inner.url,
    async put(path, data) {
      if (failOn(path)) throw new Error(`injected failure for ${path}`);
      await inner.put(path, data);
    },
    get: (path) => inner.get(path),
    list: (prefix) => inner.list(prefix),
    delete: (path) => inner.delete(path),
  };
}

/** A small window-like table: dictionary utf8 key, float64, int32, timestamp ms, bool, with nulls. */
export function sampleTable(rows = 5, offset = 0): arrow.Table {
  const keys = ['a', 'b', 'c'];
  const key = arrow.vectorFromArray(
    Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? null : keys[(i + offset) % 3])),
    new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
  );
  const value = arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? null : (i + offset) * 1.5)), new arrow.Float64());
  const count = arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => i + offset), new arrow.Int32());
  const ts = arrow.vectorFromArray(
    Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + (i + offset) * 1000),
    new arrow.TimestampMillisecond(),
  );
  const flag = arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 3 === 2 ? null : i % 2 === 0)), new arrow.Bool());
  const name = arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => `n${i + offset}`), new arrow.Utf8());
  return new arrow.Table({ key, value, count, ts, flag, name });
}

/** Rows as plain objects with JSON-comparable values (timestamps as numbers, bigint as string). */
export function rowsOf(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    for (const k of Object.keys(o)) if (typeof o[k] === 'bigint') o[k] = String(o[k]);
    return o;
  });
}

export function schemaOf(table: arrow.Table): string[] {
  return table.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`);
}

export const pipelineA = {
  description: {
    nodes: [
      { id: 'src', kind: 'fromKafka', params: { topic: 'orders' } },
      { id: 'totals', kind: 'accumulate', params: { start: 0 } },
      { id: 'window', kind: 'sdfWindow', params: { size: 100 } },
    ],
    edges: [
      ['src', 'totals'],
      ['src', 'window'],
    ] as Array<[string, string]>,
  },
};
