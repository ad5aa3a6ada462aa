// Sums and means over ±Infinity give what pandas 1.5.3 gives (issue 11): the compensated sums
// used to turn inf into NaN (inf - inf in the correction term).
import { describe, expect, it } from 'vitest';
import { DataFrame, Stream } from '../../src/index.js';

const values = [1, Infinity, 2, -Infinity, 3, 4];

function run(build: (sdf: DataFrame<{ k: 'utf8'; v: 'float64' }>) => DataFrame<any>, column = 'v'): number[] {
  const source = new Stream<unknown>();
  const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64' } as const });
  const out: number[] = [];
  build(sdf).stream.sink((f) => void out.push(...(f.col(column).data as Float64Array)));
  for (const v of values) source.emit({ k: ['a'], v: [v] });
  return out;
}

describe('±Infinity as pandas', () => {
  it('cumulative sum and mean: s.iloc[:i+1].sum() / .mean()', () => {
    expect(run((s) => s.col('v').sum())).toEqual([1, Infinity, Infinity, NaN, NaN, NaN]);
    expect(run((s) => s.col('v').mean())).toEqual([1, Infinity, Infinity, NaN, NaN, NaN]);
    expect(run((s) => s.groupby('k').col('v').sum())).toEqual([1, Infinity, Infinity, NaN, NaN, NaN]);
  });

  it('window(n=2) sums: an evicted infinity leaves the sum finite again', () => {
    expect(run((s) => s.window({ n: 2 }).col('v').sum())).toEqual([1, Infinity, Infinity, -Infinity, -Infinity, 7]);
    expect(run((s) => s.window({ n: 2 }).col('v').mean())).toEqual([1, Infinity, Infinity, -Infinity, -Infinity, 3.5]);
  });

  it('rolling reads ±inf as missing (pandas _prep_values): s.rolling(2).sum(), s.expanding().sum()', () => {
    expect(run((s) => s.col('v').rolling(2).sum())).toEqual([NaN, NaN, NaN, NaN, NaN, 7]);
    expect(run((s) => s.col('v').expanding().sum())).toEqual([1, 1, 3, 3, 6, 10]);
  });
});
