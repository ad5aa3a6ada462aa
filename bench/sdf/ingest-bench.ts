/**
 * Ingest into columns, rows/s: row objects → columns, and JSON lines (one Buffer per message, as a
 * Kafka consumer hands them over with `decode: 'buffer'`) → columns, the latter both as
 * `decode: 'json'` does it (JSON.parse per message, then rows) and through `Ingestor.fromJsonLines`.
 * 200 batches × 1000 rows of { k: string (100 keys), v: float, ts: ms number, n: int }.
 * Usage: npx tsx bench/sdf/ingest-bench.ts        (INGEST_BATCHES / ROWS env vars)
 * Before/after on a busy machine: BASELINE=<a copy of another version's src/dataframe/index.ts>
 * times that version's Ingestor too, alternating passes with this one, so both see the same load.
 */
import { Ingestor, type Schema } from '../../src/dataframe/index.js';
import { makeBatches, ROWS } from './data.js';

const schema: Schema = { k: 'utf8', v: 'float64', ts: 'timestamp', n: 'int32' };
const batches = makeBatches().slice(0, Number(process.env.INGEST_BATCHES ?? 200));
const rows = batches.map((b) => Array.from({ length: b.v.length }, (_, i) => ({ k: b.k[i], v: b.v[i], ts: b.ts[i], n: i })));
const lines = rows.map((rs) => rs.map((r) => Buffer.from(JSON.stringify(r))));

type IngestorClass = typeof Ingestor;
const versions: [string, IngestorClass][] = [['this', Ingestor]];
if (process.env.BASELINE) versions.unshift(['baseline', ((await import(process.env.BASELINE)) as { Ingestor: IngestorClass }).Ingestor]);

/**
 * Median rate of 5 passes after a warm-up, per version, the versions' passes alternating. Timed in
 * CPU time of this process: on the shared machine wall time swung 5× between passes.
 */
function rate(name: string, run: (ing: Ingestor, i: number) => number, only?: (cls: IngestorClass) => boolean): void {
  const rates = versions.map((): number[] => []);
  for (let rep = 0; rep < 6; rep++) {
    versions.forEach(([label, cls], v) => {
      if (only && !only(cls)) return;
      const ing = new cls(schema);
      let n = 0;
      const t0 = process.cpuUsage();
      for (let i = 0; i < batches.length; i++) n += run(ing, i);
      const used = process.cpuUsage(t0);
      const dt = (used.user + used.system) / 1e6;
      if (n !== batches.length * ROWS) throw new Error(`${name} (${label}): ${n} rows`);
      if (rep > 0) rates[v].push(n / dt);
    });
  }
  const cells = rates.map((r) => (r.length ? `${(r.sort((a, b) => a - b)[r.length >> 1] / 1e6).toFixed(2)}M` : '–'));
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}

console.log(`| ingest path | ${versions.map(([l]) => `${l} rows per CPU-s`).join(' | ')} |\n|---|${versions.map(() => '---|').join('')}`);
rate('row objects → columns (`ingest(rows)`)', (ing, i) => ing.ingest(rows[i]).length);
rate("JSON lines → columns as `decode: 'json'` + rows (JSON.parse per message)", (ing, i) => ing.ingest(lines[i].map((b) => JSON.parse(b.toString('utf8')) as Record<string, unknown>)).length);
rate(
  'JSON lines → columns (`ingest(buffers)`)',
  (ing, i) => ing.ingest(lines[i] as never).length,
  (cls) => 'fromJsonLines' in cls.prototype,
);
