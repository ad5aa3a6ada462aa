import {
  DataType,
  Dictionary,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table as ArrowTable,
  tableFromIPC,
  tableToIPC,
  type Data,
  type Field,
} from 'apache-arrow';
// The package's "node" export condition resolves to its CommonJS Node build, which loads the
// .wasm synchronously at import: no init call needed, and named ESM imports work.
import {
  Compression,
  readParquet,
  Table as WasmTable,
  writeParquet,
  WriterPropertiesBuilder,
  WriterVersion,
} from 'parquet-wasm';

export type ParquetCompression = 'uncompressed' | 'snappy' | 'zstd' | 'lz4';

export interface ParquetWriteOptions {
  /** Default `snappy`: about as fast as uncompressed to write, much smaller for float/time columns. */
  compression?: ParquetCompression;
  /**
   * Dictionary encoding. `'auto'` (default): on for string, binary and dictionary columns, off for
   * numbers and times, where trying it costs about half the write time and rarely pays.
   */
  dictionary?: boolean | 'auto';
  /** Rows per row group; default 1M (parquet-wasm's default). */
  rowGroupSize?: number;
}

const CODECS: Record<ParquetCompression, Compression> = {
  uncompressed: Compression.UNCOMPRESSED,
  snappy: Compression.SNAPPY,
  zstd: Compression.ZSTD,
  lz4: Compression.LZ4_RAW,
};

/**
 * Arrow JS refuses to serialise a table whose dictionary columns share one dictionary id (easy to
 * get by reusing one `Dictionary` type instance for several columns). Give such columns fresh ids.
 */
export function withUniqueDictionaryIds(table: ArrowTable): ArrowTable {
  const seen = new Set<number>();
  let clash = false;
  for (const f of table.schema.fields) {
    if (DataType.isDictionary(f.type)) {
      const id = f.type.id;
      if (seen.has(id)) clash = true;
      seen.add(id);
    }
  }
  if (!clash) return table;
  seen.clear();
  const fields: Field[] = table.schema.fields.map((f) => {
    if (!DataType.isDictionary(f.type)) return f;
    if (!seen.has(f.type.id)) {
      seen.add(f.type.id);
      return f;
    }
    const t = f.type;
    return f.clone({ type: new Dictionary(t.dictionary, t.indices, null, t.isOrdered) });
  });
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = fields.map((field, i) => {
      const d = batch.data.children[i] as Data;
      if (field.type === table.schema.fields[i].type) return d;
      return makeData({
        type: field.type as Dictionary,
        offset: d.offset,
        length: d.length,
        nullCount: d.nullCount,
        nullBitmap: d.nullBitmap,
        data: d.values,
        dictionary: d.dictionary,
      } as Parameters<typeof makeData>[0] & { type: Dictionary });
    });
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new ArrowTable(schema, batches);
}

/** Arrow table → Parquet file bytes (with the Arrow schema embedded, so types read back exactly). */
export function tableToParquet(table: ArrowTable, opts: ParquetWriteOptions = {}): Uint8Array {
  const dictionary = opts.dictionary ?? 'auto';
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[opts.compression ?? 'snappy'])
    .setDictionaryEnabled(dictionary === true)
    .setWriterVersion(WriterVersion.V1)
    .setMaxRowGroupSize(opts.rowGroupSize ?? 1024 * 1024)
    .setCreatedBy('streamframe');
  if (dictionary === 'auto') {
    for (const f of table.schema.fields) {
      if (DataType.isDictionary(f.type) || DataType.isUtf8(f.type) || DataType.isBinary(f.type) || DataType.isLargeUtf8(f.type)) {
        builder = builder.setColumnDictionaryEnabled(f.name, true);
      }
    }
  }
  const props = builder.build();
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(withUniqueDictionaryIds(table), 'stream'));
  // writeParquet consumes (frees) both the table and the properties.
  return writeParquet(wasmTable, props);
}

/** Parquet file bytes → Arrow table. Throws on anything that is not a readable Parquet file. */
export function parquetToTable(bytes: Uint8Array): ArrowTable {
  // Large batches: the default (1024 rows) makes a 1M-row table of 1000 record batches.
  const wasmTable = readParquet(bytes, { batchSize: 64 * 1024 });
  // intoIPCStream consumes (frees) the wasm table.
  return tableFromIPC(wasmTable.intoIPCStream());
}
