/**
 * Type-level helpers that carry the example schema through the DataFrame API, so a column name
 * that is not in the schema fails to compile (`sdf.col('nope')`).
 */
import type * as arrow from 'apache-arrow';
import type { AggOp } from '../aggregator.js';
import type { DType, Schema } from '../frame.js';
import type { Expr } from '../expr.js';

/** The column names of a schema. */
export type Cols<S extends Schema> = keyof S & string;

/** Flatten an intersection for readable hover types (and assert it is a Schema, which TS cannot see through mapped types). */
export type Simplify<T> = AsSchema<{ [K in keyof T]: T[K] }>;
type AsSchema<T> = T extends Schema ? T : never;

/** Output dtype of an aggregation: min/max/first/last keep timestamps, first/last keep strings; the rest are float64. */
export type AggOut<O extends AggOp, D extends DType> = O extends 'min' | 'max' | 'first' | 'last'
  ? D extends 'timestamp'
    ? 'timestamp'
    : D extends 'utf8'
      ? 'utf8'
      : 'float64'
  : 'float64';

/** `{ v: ['sum', 'mean'], w: 'max' }` */
export type AggMap<S extends Schema> = { readonly [C in Cols<S>]?: AggOp | readonly AggOp[] };
type OpsOf<X> = X extends readonly (infer O)[] ? O : X;
/** pandas' agg MultiIndex flattened: `${column}_${op}`. */
export type AggResult<S extends Schema, K extends Cols<S>, A> = Simplify<
  Pick<S, K> & {
    [E in { [C in keyof A & Cols<S>]: [C, OpsOf<A[C]>] }[keyof A & Cols<S>] as `${E[0]}_${E[1] & string}`]: E[1] extends AggOp ? AggOut<E[1], S[E[0]]> : never;
  }
>;

/** Options every stateful SDF operation takes. */
export interface NodeOptions {
  /** The node's id in graphs and checkpoints. */
  name?: string;
  /** Initial state: a snapshot (`node.snapshot()`, or a checkpoint's Parquet read back) of the same operation, as streamz's `start`. */
  start?: arrow.Table;
}

/**
 * What filter/assign and the binary operators accept: any Series, by its dtype only. (A structural
 * `Series<any, D>` would make TS compare whole method graphs and reject valid arguments.)
 */
export interface SeriesLike<D extends DType = DType> {
  readonly expr: Expr;
  readonly name: string;
  /** Phantom: the dtype, for type inference only. */
  readonly __dtype?: D;
}
