import { describe, expect, it } from 'vitest';
import { float64s, int32s } from '../../src/dataframe/slab.js';

describe('slab: per-batch arrays cut from shared buffers', () => {
  it('every array starts zeroed and no two overlap, across many slabs and the own-buffer size', () => {
    const arrays: (Float64Array | Int32Array)[] = [];
    for (let i = 0; i < 3000; i++) {
      const n = [1, 7, 1000, 3333, 9000, 20000][i % 6];
      const a = i % 2 === 0 ? float64s(n) : int32s(n);
      expect(a.length).toBe(n);
      expect(a.every((x) => x === 0)).toBe(true);
      a.fill(i + 1);
      arrays.push(a);
    }
    arrays.forEach((a, i) => expect(a.every((x) => x === i + 1)).toBe(true));
  });
});
