import { DataFrame, Stream, type Frame } from '../../src/index.js';
import { makeBatches, type Batch } from './data.js';
const example = { k: 'utf8', v: 'float64', ts: 'timestamp' } as const;
const W: Record<string, (s: any) => any> = {
  rolling: (s) => s.col('v').rolling(100).mean(),
  gsum: (s) => s.groupby('k').col('v').sum(),
  fa: (s) => s.filter(s.col('v').gt(0.5)).assign({ w: s.col('v').mul(2) }),
  wmean: (s) => s.window({ n: 10000 }).groupby('k').col('v').mean(),
};
const batches = makeBatches();
const w = W[process.env.W ?? 'rolling'];
for (let rep = 0; rep < 5; rep++) {
  const source = new Stream<Batch>(); let last: Frame | undefined;
  w(new DataFrame(source, { example })).stream.sink((f: Frame) => void (last = f));
  const t0 = process.cpuUsage(); for (const b of batches) source.emit(b); const u = process.cpuUsage(t0);
  console.log(process.env.W, (1e6 / (u.user + u.system)).toFixed(2), 'M/cpu-s', last!.length);
}
