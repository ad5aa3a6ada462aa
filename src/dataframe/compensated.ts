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

/** The per-group stats of an aggregator that keeps sums, counts and sizes only (sum, mean, count, size). */
export interface GroupSums {
  count: Float64Array;
  size: Float64Array;
  sum: Float64Array;
  comp: Float64Array;
  stale: boolean;
}

/** Adds `x` to group g's compensated sum. */
export function addToSum(sum: Float64Array, comp: Float64Array, g: number, x: number): void {
  const s = sum[g];
  const t = s + x;
  comp[g] += compensation(s, x, t);
  sum[g] = t;
}

/** Takes `x` back out of group g's sum, which holds `left` values after it: zero at none; stale when it cannot be subtracted. */
export function removeFromSum(a: GroupSums, g: number, x: number, left: number): void {
  if (left === 0) a.sum[g] = a.comp[g] = 0;
  else if (!subtractable(a.sum[g], x)) a.stale = true;
  else {
    const s = a.sum[g];
    const t = s - x;
    a.comp[g] += compensation(s, -x, t);
    a.sum[g] = t;
  }
}

/**
 * `GroupAggregator.add` and `remove` for such an aggregator: the same updates, in a loop that does
 * not test on every row for stats it does not keep (that loop was 1.9× its hand loop; RESULTS.md).
 * Row i belongs to group gids[i] (-1: none); a null (NaN) counts in size only.
 */
export function addToSums(a: GroupSums, values: Float64Array, gids: Int32Array, start: number, end: number): void {
  const { count, size, sum, comp } = a;
  for (let i = start; i < end; i++) {
    const g = gids[i];
    if (g < 0) continue;
    size[g]++;
    const x = values[i];
    if (x !== x) continue;
    count[g]++;
    addToSum(sum, comp, g, x);
  }
}

export function removeFromSums(a: GroupSums, values: Float64Array, gids: Int32Array, start: number, end: number): void {
  const { count, size } = a;
  for (let i = start; i < end; i++) {
    const g = gids[i];
    if (g < 0) continue;
    size[g]--;
    const x = values[i];
    if (x === x) removeFromSum(a, g, x, --count[g]);
  }
}
