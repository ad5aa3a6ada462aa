import { describe, expect, it } from 'vitest';
import { Ingestor, Rng, WindowedAggregation, toRows, type Schema } from '../../src/dataframe/index.js';

/** mean and count per key over rows, recomputed from scratch, sorted by key. */
function recompute(keys: (number | string)[], values: number[]): { k: number | string; n: number; mean: number }[] {
  const acc = new Map<number | string, { n: number; sum: number }>();
  keys.forEach((k, i) => {
    const a = acc.get(k) ?? { n: 0, sum: 0 };
    a.n++;
    a.sum += values[i];
    acc.set(k, a);
  });
  return [...acc].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, a]) => ({ k, n: a.n, mean: a.sum / a.n }));
}

describe('windowed groupby over ever new keys', () => {
  for (const dtype of ['float64', 'utf8'] as const) {
    it(`${dtype} keys: holds state for about the window's keys, not every key seen, and still agrees with a recomputation`, () => {
      const schema: Schema = { k: dtype, v: 'float64' };
      const ing = new Ingestor(schema);
      const window = 3000;
      const agg = new WindowedAggregation({ window: { n: window }, schema, dicts: ing.dicts, by: 'k', aggs: { v: ['count', 'mean'] } });
      const rng = new Rng(7);
      const allKeys: (number | string)[] = [];
      const allValues: number[] = [];
      let maxGroups = 0;
      for (let b = 0; b < 250; b++) {
        // mostly new keys (an id that never repeats), some of a small recurring set
        const keys = Array.from({ length: 1000 }, (_, i) => {
          const id = rng.random() < 0.2 ? rng.nextU32() % 10 : 1000 + b * 1000 + i;
          return dtype === 'utf8' ? `id${id}` : id;
        });
        const values = Array.from({ length: 1000 }, () => rng.random() * 100);
        allKeys.push(...keys);
        allValues.push(...values);
        agg.update(ing.ingest({ k: keys, v: values }));
        maxGroups = Math.max(maxGroups, agg.groups);
      }
      // 250 000 distinct keys went through; state is bounded by the rebuild period, not by them
      expect(maxGroups).toBeLessThan(80_000);
      const got = toRows(agg.result()) as { k: number | string; v_count: number; v_mean: number }[];
      const want = recompute(allKeys.slice(-window), allValues.slice(-window));
      expect(got.map((r) => [r.k, r.v_count])).toEqual(want.map((r) => [r.k, r.n]));
      got.forEach((r, i) => expect(Math.abs(r.v_mean - want[i].mean)).toBeLessThanOrEqual(1e-9 * 100));
    });
  }
});
