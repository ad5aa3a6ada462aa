/** Human figures for the command's output: sizes and ages. */

/** 1234567 → "1.2 MB" (decimal units, as `ls -h --si` and object stores show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Milliseconds → "4 s", "12 min", "3 h", "2 d" (coarse: for "how old is this checkpoint"). */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** A value in a table cell: numbers as they print, absent values empty, objects as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Aligned columns under a header: numbers to the right, text to the left. */
export function textTable(header: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(cell));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number' || typeof r[i] === 'bigint'));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
