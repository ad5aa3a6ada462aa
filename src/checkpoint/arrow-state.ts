import { Table } from 'apache-arrow';

/**
 * True for an Arrow JS table. `instanceof` fails across two copies of apache-arrow, so a
 * structural check backs it up.
 */
export function isArrowTable(value: unknown): value is Table {
  if (value instanceof Table) return true;
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.numRows === 'number' &&
    Array.isArray(v.batches) &&
    typeof v.schema === 'object' &&
    v.schema !== null &&
    Array.isArray((v.schema as { fields?: unknown }).fields)
  );
}
