/**
 * Durations: a number of milliseconds or a pandas-like string ('10s', '5min', '250ms', '1h', '2d',
 * '1.5s', '100us'). Every node that takes a span of time takes a `Duration`.
 */
export type Duration = number | string;

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  l: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  t: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds of a positive duration; a clear error for anything else. */
export function parseDuration(v: Duration): number {
  if (typeof v === 'number') {
    if (!(v > 0)) throw new RangeError(`duration must be positive, got ${v}`);
    return v;
  }
  if (typeof v !== 'string') throw new TypeError(`duration must be a number of ms or a string like '10s', got ${typeof v}`);
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-zA-Z]+)\s*$/.exec(v);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new RangeError(`cannot parse duration "${v}" (use e.g. '10s', '5min', '250ms')`);
  const ms = (m[1] === undefined ? 1 : Number(m[1])) * unit;
  if (!(ms > 0)) throw new RangeError(`duration must be positive, got "${v}"`);
  return ms;
}

/** Like `parseDuration`, but 0 is allowed (no lateness, no out-of-orderness, a delay or timeout of none). */
export function parseDurationOrZero(v: Duration): number {
  return v === 0 || v === '0' ? 0 : parseDuration(v);
}
