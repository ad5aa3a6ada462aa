import { Rng } from '../../src/index.js';

/** The SDF benchmarks' input: BATCHES × ROWS rows of 100 string keys, a uniform value and a ms timestamp. */
export const BATCHES = Number(process.env.BATCHES ?? 1000);
export const ROWS = Number(process.env.ROWS ?? 1000);
export const KEYS = 100;
export type Batch = { k: string[]; v: Float64Array; ts: Float64Array };

export function makeBatches(): Batch[] {
  const rng = new Rng(42);
  const keys = Array.from({ length: KEYS }, (_, i) => `key${i}`);
  const out: Batch[] = [];
  let t = Date.UTC(2024, 0, 1);
  for (let b = 0; b < BATCHES; b++) {
    const k = new Array<string>(ROWS);
    const v = new Float64Array(ROWS);
    const ts = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      k[i] = keys[rng.nextU32() % KEYS];
      v[i] = rng.random();
      ts[i] = t++;
    }
    out.push({ k, v, ts });
  }
  return out;
}
