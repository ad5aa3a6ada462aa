/**
 * Keeping the rows of a frame where a mask expression is true. A comparison of a numeric column
 * with a number or a numeric column (`v > 0.5`, the common filter) goes from the values straight to
 * the kept rows' indices, with no mask array in between: one branch-free loop that writes every
 * row's index and moves on only past kept rows. Every other mask is evaluated to a bool column first.
 */
import { Expr, compare, type CmpOp } from './expr.js';
import { isColumn, scalarToNumber } from './arithmetic.js';
import { toFloat64, type BoolColumn, type Frame } from './frame.js';

/** Reused for the kept rows' indices, which `Frame.take` reads before it returns. */
let scratch = new Int32Array(1024);

export function filterFrame(frame: Frame, mask: Expr | BoolColumn | Uint8Array): Frame {
  if (mask instanceof Expr && mask.comparison !== undefined) {
    const { op, left, right } = mask.comparison;
    const a = left.evaluate(frame);
    const b = right instanceof Expr ? right.evaluate(frame) : right;
    if (a.dtype === 'utf8' || !(typeof b === 'number' || (isColumn(b) && b.dtype !== 'utf8'))) return frame.filter(compare(op, a, b) as BoolColumn);
    // After evaluating the operands: they may run user code that filters another frame.
    if (scratch.length <= frame.length) scratch = new Int32Array(2 * frame.length + 1);
    const kept = compareRows(op, toFloat64(a), isColumn(b) ? toFloat64(b) : scalarToNumber(a, b), scratch);
    return frame.take(scratch.subarray(0, kept), true);
  }
  const m = mask instanceof Expr ? mask.evaluate(frame) : mask;
  if (m instanceof Uint8Array) return frame.filter(m);
  if (m.dtype !== 'bool') throw new TypeError(`filter: mask must be bool, got ${m.dtype}`);
  return frame.filter(m);
}

/**
 * Writes the indices of the rows where `x op y` into `into` (one slot longer than x), returns how
 * many. Branch-free as `compareNumbers` (expr.ts) is: NaN (null) compares false, and `!==` true.
 */
function compareRows(op: CmpOp, x: Float64Array, y: Float64Array | number, into: Int32Array): number {
  const n = x.length;
  let k = 0;
  if (typeof y === 'number') {
    if (op === 'gt') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] > y));
    else if (op === 'lt') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] < y));
    else if (op === 'ge') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] >= y));
    else if (op === 'le') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] <= y));
    else if (op === 'eq') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] === y));
    else for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] !== y));
  } else if (op === 'gt') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] > y[i]));
  else if (op === 'lt') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] < y[i]));
  else if (op === 'ge') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] >= y[i]));
  else if (op === 'le') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] <= y[i]));
  else if (op === 'eq') for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] === y[i]));
  else for (let i = 0; i < n; i++) (into[k] = i), (k += +(x[i] !== y[i]));
  return k;
}
