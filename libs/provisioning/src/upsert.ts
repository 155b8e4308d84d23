import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/** Counts rows written and rows left as they were, for the command's summary. */
export class ChangeCounter {
  written = 0;
  unchanged = 0;
  removed = 0;
}

export interface UpsertOptions {
  table: string;
  /** Columns of the unique key that identifies the row on a re-apply. */
  conflict: string[];
  values: Record<string, unknown>;
  /**
   * Columns compared only by whether they are NULL, and kept when both sides
   * are set, such as shared_at: re-applying a shared record keeps the time it
   * was first shared.
   */
  keepWhenSet?: string[];
}

/**
 * Inserts a row or updates it when any column differs, and returns its id.
 * An unchanged row is not written, so its updated_at stays put and a second
 * apply of the same manifest writes nothing.
 */
export async function upsert(client: PoolClient, options: UpsertOptions, counter: ChangeCounter): Promise<string> {
  const { table, conflict, values } = options;
  const keep = new Set(options.keepWhenSet ?? []);
  const columns = Object.keys(values);
  const params = columns.map((column) => values[column]);
  const placeholders = columns.map((_, index) => `$${index + 1}`);
  const updatable = columns.filter((column) => !conflict.includes(column) && column !== 'id');

  const assignments = updatable.map((column) =>
    keep.has(column)
      ? `${column} = CASE WHEN EXCLUDED.${column} IS NULL THEN NULL ELSE coalesce(target.${column}, EXCLUDED.${column}) END`
      : `${column} = EXCLUDED.${column}`,
  );
  const hasUpdatedAt = table !== 'tenant_domains' && table !== 'warranty_equipment' && !isDetail(table);
  if (hasUpdatedAt) assignments.push('updated_at = now()');

  const differs = updatable.map((column) =>
    keep.has(column)
      ? `(target.${column} IS NULL) IS DISTINCT FROM (EXCLUDED.${column} IS NULL)`
      : `target.${column} IS DISTINCT FROM EXCLUDED.${column}`,
  );
  const conflictMatch = conflict.map((column) => {
    const index = columns.indexOf(column);
    if (index < 0) throw new Error(`upsert into ${table}: conflict column ${column} has no value`);
    return `${column} = $${index + 1}`;
  });

  const sql = `
    WITH written AS (
      INSERT INTO ${table} AS target (${columns.join(', ')})
      VALUES (${placeholders.join(', ')})
      ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${assignments.join(', ')}
      ${differs.length > 0 ? `WHERE ${differs.join(' OR ')}` : 'WHERE false'}
      RETURNING ${table === 'brandings' ? 'tenant_id' : 'id'} AS id
    )
    SELECT id, true AS written FROM written
    UNION ALL
    SELECT ${table === 'brandings' ? 'tenant_id' : 'id'}, false FROM ${table}
    WHERE ${conflictMatch.join(' AND ')} AND NOT EXISTS (SELECT 1 FROM written)`;

  const result = await client.query<{ id: string; written: boolean }>(sql, params);
  const row = result.rows[0];
  if (!row) throw new Error(`upsert into ${table} returned no row`);
  if (row.written) counter.written += 1;
  else counter.unchanged += 1;
  return row.id;
}

const DETAIL_TABLES = new Set([
  'inspection_findings',
  'equipment_inspections',
  'invoice_lines',
  'invoice_payments',
  'proposal_lines',
  'warranty_equipment',
]);

function isDetail(table: string): boolean {
  return DETAIL_TABLES.has(table);
}

/**
 * Derives a stable UUID from its parts, so detail rows (which have no
 * external id) keep their ids across applies.
 */
export function stableId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version 8 (custom) with the RFC 9562 variant bits.
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + hex.slice(18, 20),
    hex.slice(20, 32),
  ].join('-');
}

/** Deletes the detail rows of a parent beyond the ones the manifest lists. */
export async function removeExtraDetails(
  client: PoolClient,
  table: string,
  parentColumn: string,
  parentId: string,
  keepIds: string[],
  counter: ChangeCounter,
): Promise<void> {
  const result = await client.query(
    `DELETE FROM ${table} WHERE ${parentColumn} = $1 AND NOT (id = ANY($2::uuid[]))`,
    [parentId, keepIds],
  );
  counter.removed += result.rowCount ?? 0;
}
