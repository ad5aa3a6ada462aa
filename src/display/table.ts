import { escapeHtml } from './html.js';
import { kernel } from './kernel.js';

/** What `htmlTable` accepts: rows, a frame with `toRows()` (streamframe's `Frame`), or an Arrow table. */
export type Tabular =
  | readonly unknown[]
  | { toRows(): Record<string, unknown>[] }
  | { toArray(): ArrayLike<unknown>; schema: { fields: readonly { name: string }[] } };

export interface TableOptions {
  /** Rows shown (default 50); the rest are counted in a footer. */
  maxRows?: number;
  /** Fraction digits for non-integer numbers (default 4). */
  digits?: number;
  caption?: string;
}

/** Rows as objects, whatever the input; the column order is the order keys first appear. */
export function toRecords(data: Tabular): { columns: string[]; rows: Record<string, unknown>[] } {
  let rows: unknown[];
  if ('toRows' in data && typeof data.toRows === 'function') rows = data.toRows();
  else if ('toArray' in data && typeof data.toArray === 'function' && !Array.isArray(data)) {
    rows = Array.from(data.toArray(), (r) => (typeof (r as { toJSON?: unknown })?.toJSON === 'function' ? (r as { toJSON(): unknown }).toJSON() : r));
  } else rows = [...(data as readonly unknown[])];
  const columns = new Set<string>();
  const records = rows.map((r) => {
    // A row that is not an object (a number, a string, a tuple) becomes one `value` column or `0..n`.
    const rec: Record<string, unknown> = r !== null && typeof r === 'object' && !(r instanceof Date) ? { ...(r as object) } : { value: r };
    for (const k of Object.keys(rec)) columns.add(k);
    return rec;
  });
  return { columns: [...columns], rows: records };
}

export function formatCell(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(digits) : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** An HTML table of the rows; every header and cell is escaped. */
export function htmlTable(data: Tabular, options: TableOptions = {}): string {
  const { columns, rows } = toRecords(data);
  const max = options.maxRows ?? 50;
  const cell = (tag: string, s: string, numeric = false) => `<${tag}${numeric ? ' style="text-align:right"' : ''}>${escapeHtml(s)}</${tag}>`;
  const out = ['<table class="streamframe">'];
  if (options.caption !== undefined) out.push(`<caption>${escapeHtml(options.caption)}</caption>`);
  out.push('<thead><tr>' + columns.map((c) => cell('th', c)).join('') + '</tr></thead><tbody>');
  for (const r of rows.slice(0, max)) {
    out.push('<tr>' + columns.map((c) => cell('td', formatCell(r[c], options.digits), typeof r[c] === 'number')).join('') + '</tr>');
  }
  out.push('</tbody>');
  if (rows.length > max) out.push(`<tfoot><tr><td colspan="${columns.length}">… ${rows.length - max} more rows (${rows.length} in all)</td></tr></tfoot>`);
  out.push('</table>');
  return out.join('\n');
}

/** The same table as aligned plain text, for a terminal. */
export function textTable(data: Tabular, options: TableOptions = {}): string {
  const { columns, rows } = toRecords(data);
  const shown = rows.slice(0, options.maxRows ?? 50).map((r) => columns.map((c) => formatCell(r[c], options.digits)));
  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd();
  const more = rows.length > shown.length ? [`… ${rows.length - shown.length} more rows`] : [];
  return [line(columns), ...shown.map(line), ...more].join('\n');
}

/** Show rows as an HTML table in tslab, or as text on stdout elsewhere. */
export function showTable(data: Tabular, options: TableOptions = {}): void {
  const k = kernel();
  if (k) k.display.html(htmlTable(data, options));
  else process.stdout.write(textTable(data, options) + '\n');
}
