import { isIsoDate } from '../../locale/src';
import { Cursor } from './paging';
import { RecordKind } from './record-kind';

export const PAGE_SIZE = 25;

/**
 * Writes today's date into the SQL as a literal. The value comes from our own
 * clock and is checked, and a literal keeps parameter order simple.
 */
export function withToday(sql: string, today: string): string {
  if (!isIsoDate(today)) throw new Error(`today must be YYYY-MM-DD, got ${today}`);
  return sql.replace(/:today\b/g, `'${today}'::date`);
}

export interface ListQueryInput {
  /** A key of kind.filters, or null for every record. */
  filter: string | null;
  cursor: Cursor | null;
  /** True when walking to the previous page. */
  backwards: boolean;
  today: string;
}

/**
 * Builds the keyset-paged list query of a record kind: one row more than a
 * page, so the caller can tell whether another page follows. Placeholders
 * are `?`, as MikroORM's execute expects.
 */
export function buildListQuery(kind: RecordKind, input: ListQueryInput): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (input.filter) conditions.push(`(${kind.filters[input.filter].where})`);

  // Forward pages continue past the cursor in the list's direction;
  // backward pages walk the other way and are reversed afterwards.
  const descending = kind.direction === 'desc' !== input.backwards;
  if (input.cursor) {
    conditions.push(`(r.${kind.sortColumn}, r.id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(input.cursor.sortValue, input.cursor.id);
  }
  const order = descending ? 'DESC' : 'ASC';
  const sql = withToday(
    `${kind.select}
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY r.${kind.sortColumn} ${order}, r.id ${order}
      LIMIT ${PAGE_SIZE + 1}`,
    input.today,
  );
  return { sql, params };
}
