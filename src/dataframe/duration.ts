/** Parse a pandas-like duration ('10s', '5min', '250ms', '1h', '2d', '1.5s', '100us') or ms number into ms. */
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

export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    if (!(v > 0)) throw new Error(`duration must be positive, got ${v}`);
    return v;
  }
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-zA-Z]+)\s*$/.exec(v);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`cannot parse duration "${v}" (use e.g. '10s', '5min', '250ms')`);
  const ms = (m[1] === undefined ? 1 : Number(m[1])) * unit;
  if (!(ms > 0)) throw new Error(`duration must be positive, got "${v}"`);
  return ms;
}
