/**
 * The options of the core joins (`join`, `joinAsof`, `joinLatest`): how each side's key and event time are
 * read, typed so that a key of one type on the left and another on the right does not compile,
 * and turned into plain functions of an element before a node connects.
 */
import { parseDurationOrZero, type Duration } from '../duration.js';
import { errorText } from '../errors.js';
import type { StreamOptions } from '../stream.js';
import type { WatermarkOptions } from '../watermark.js';
import { valueKey } from './keys.js';
import { eventTimeOf } from './time-windows.js';

/** The fields both element types have, with types that overlap (one assignable to the other). */
export type SharedField<L, R> = {
  [P in keyof L & keyof R]: Overlap<L[P], R[P]> extends true ? P : never;
}[keyof L & keyof R];

type Overlap<A, B> = [A] extends [B] ? true : [B] extends [A] ? true : false;

/** One side's key or time: one of its fields, or a function of the element. */
export type SideSpec<X> = keyof X | ((x: X) => unknown);

/** What a side spec gives for an element of type X. */
export type SpecValue<X, S> = S extends (x: X) => infer K ? K : S extends keyof X ? X[S] : never;

/**
 * How both sides are keyed: a field both have (`'user'`), one function for both, or a field or
 * function per side (`{ left: 'id', right: (p) => p.userId }`).
 */
export type JoinKey<L, R> = SharedField<L, R> | ((x: L | R) => unknown) | { left: SideSpec<L>; right: SideSpec<R> };

/** A `{ left, right }` key whose two sides give types that do not overlap fails here, naming both types. */
export type CheckedKey<L, R, K> = K extends { left: infer KL; right: infer KR }
  ? Overlap<SpecValue<L, KL>, SpecValue<R, KR>> extends true
    ? unknown
    : { keyTypesDiffer: [left: SpecValue<L, KL>, right: SpecValue<R, KR>] }
  : unknown;

/** Fields of X holding an event time (none for a primitive: mapped over one, the type would be its methods). */
type TimeField<X> = X extends object ? { [P in keyof X]: X[P] extends number | Date ? P : never }[keyof X] : never;

/** Where each side's event time is (ms since the epoch, or a Date): a field both have, one function, or one per side. */
export type JoinTime<L, R> =
  | (TimeField<L> & TimeField<R>)
  | ((x: L | R) => number | Date)
  | { left: TimeField<L> | ((x: L) => number | Date); right: TimeField<R> | ((x: R) => number | Date) };

/** `inner`: matched pairs only; `left`: also each left element that matched nothing, paired with null. */
export type JoinHow = 'inner' | 'left';

/** The joined element: `[left, right]`, zip style; a left join pairs an unmatched left with null. */
export type Joined<L, R, H extends JoinHow> = H extends 'left' ? [L, R | null] : [L, R];

/** The interval of right event times a left element joins: `before` it to `after` it (inclusive). */
export type JoinWithin = Duration | { before: Duration; after: Duration };

export interface IntervalJoinOptions<L, R, K, H extends JoinHow> extends StreamOptions, WatermarkOptions {
  key: K & CheckedKey<L, R, K>;
  /** A right element joins a left one when its event time is at most `before` earlier and `after` later (a duration: both). */
  within: JoinWithin;
  on: JoinTime<L, R>;
  how?: H;
  /** Keep elements this much longer (in event time) past the watermark, so later elements still join them. */
  lateness?: Duration;
}

export interface TableJoinOptions<L, R, K, H extends JoinHow> extends StreamOptions {
  key: K & CheckedKey<L, R, K>;
  how?: H;
  /** Forget a table entry that was not updated for this long (processing time, the node's clock). */
  ttl?: Duration;
}

export interface AsofJoinOptions<L, R, K, H extends JoinHow> extends StreamOptions, WatermarkOptions {
  key: K & CheckedKey<L, R, K>;
  /** Each side's event time: a left element joins the latest right element of its key at or before its own. */
  on: JoinTime<L, R>;
  how?: H;
  /** A right element older than this (event time, before the left element's) does not match, and is freed. */
  ttl?: Duration;
}

/** An element's side: 0 left, 1 right. */
export type Side = 0 | 1;
export const SIDE_NAMES = ['left', 'right'] as const;

/** The key functions of both sides; a missing key (undefined) is an error naming the side and field. */
export function sideKeys(key: unknown): [(x: unknown) => unknown, (x: unknown) => unknown] {
  const [l, r] = perSide(key, 'key');
  return [keyReader(l, 0), keyReader(r, 1)];
}

/** The event-time functions of both sides, checked: a finite number of ms or a valid Date. */
export function sideTimes(on: unknown): [(x: unknown) => number, (x: unknown) => number] {
  const [l, r] = perSide(on, 'on');
  return [timeReader(l, 0), timeReader(r, 1)];
}

/** `within` in ms: [before, after]. */
export function withinMs(within: JoinWithin): [number, number] {
  if (typeof within === 'object' && within !== null) return [parseDurationOrZero(within.before), parseDurationOrZero(within.after)];
  if (within === undefined) throw new TypeError('join: `within` is required (a duration, or { before, after })');
  const ms = parseDurationOrZero(within);
  return [ms, ms];
}

export function checkHow(how: unknown): JoinHow {
  if (how === undefined) return 'inner';
  if (how !== 'inner' && how !== 'left') throw new RangeError(`join: how must be 'inner' or 'left', got ${String(how)}`);
  return how;
}

/** Field names of a spec, for the pipeline description (functions are not part of it). */
export function specParams(spec: unknown): unknown {
  const [l, r] = perSide(spec, 'spec');
  const name = (s: unknown) => (typeof s === 'function' ? null : String(s));
  return [name(l), name(r)];
}

function perSide(spec: unknown, what: string): [unknown, unknown] {
  if (spec === undefined || spec === null) throw new TypeError(`join: \`${what}\` is required (a field of both sides, a function, or { left, right })`);
  if (typeof spec === 'object') {
    const { left, right } = spec as { left?: unknown; right?: unknown };
    if (left === undefined || right === undefined) throw new TypeError(`join: \`${what}\` as an object needs both \`left\` and \`right\``);
    return [left, right];
  }
  return [spec, spec];
}

function keyReader(spec: unknown, side: Side): (x: unknown) => unknown {
  if (typeof spec === 'function') {
    const f = spec as (x: unknown) => unknown;
    return (x) => {
      const k = f(x);
      if (k === undefined) throw new TypeError(`join: the key function gave undefined for a ${SIDE_NAMES[side]} element`);
      return valueKey(k);
    };
  }
  const field = spec as PropertyKey;
  return (x) => {
    const k = x !== null && typeof x === 'object' ? (x as Record<PropertyKey, unknown>)[field] : undefined;
    if (k === undefined) throw new TypeError(`join: the ${SIDE_NAMES[side]} element has no key field "${String(field)}"`);
    return valueKey(k);
  };
}

function timeReader(spec: unknown, side: Side): (x: unknown) => number {
  const read = typeof spec === 'function' ? (spec as (x: unknown) => number | Date) : (x: unknown) => (x as Record<PropertyKey, number | Date> | null)?.[spec as PropertyKey];
  return (x) => {
    try {
      return eventTimeOf(read(x) as number | Date);
    } catch (e) {
      throw new TypeError(`join: the ${SIDE_NAMES[side]} element's ${errorText(e)}`);
    }
  };
}
