/**
 * The Neumaier correction for `t = s + x` (a removal is `x` negated). None once the sum is
 * infinite: pandas gives ±inf there, and the correction would turn it into NaN (inf - inf).
 */
export function compensation(s: number, x: number, t: number): number {
  if (t - t !== 0) return 0;
  return Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
}

/** An infinite (or NaN) value or sum cannot be subtracted back out: the sum must be recomputed. */
export const subtractable = (sum: number, x: number): boolean => sum - sum === 0 && x - x === 0;
