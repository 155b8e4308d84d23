import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { PAGE_SIZE, withToday } from '../../../../libs/records/src/list-query';
import { Cursor, decodeCursor, isUuid } from '../../../../libs/records/src/paging';
import { singleValues } from '../../../../libs/web/src/query-params';
import { StaffRecordKind } from './staff-record-kinds';

export const SHARED_STATES = ['yes', 'no'] as const;
export type SharedState = (typeof SHARED_STATES)[number];

const SEARCH_MAX_LENGTH = 100;

/** Filters of a staff record list, where an empty string matches any value. */
export interface StaffListFilters {
  company: string;
  shared: SharedState | '';
  q: string;
}

export interface StaffListRequest {
  filters: StaffListFilters;
  cursor: Cursor | null;
  /** True when walking to the previous page. */
  backwards: boolean;
}

/** Validates a list's query parameters and throws a 400 error that names each invalid one. */
export function parseListRequest(staffKind: StaffRecordKind, query: Record<string, unknown>): StaffListRequest {
  const values = singleValues(query, ['company', 'shared', 'q', 'after', 'before'] as const);
  const { company = '', shared = '', q = '' } = values;

  const problems: Record<string, string> = {};
  if (company && !isUuid(company)) problems.company = 'must be a customer company id';
  if (shared && !(SHARED_STATES as readonly string[]).includes(shared)) {
    problems.shared = `must be one of ${SHARED_STATES.join(', ')}`;
  }
  if (q.length > SEARCH_MAX_LENGTH) problems.q = `must be at most ${SEARCH_MAX_LENGTH} characters`;
  if (values.after && values.before) problems.before = 'cannot be combined with after';
  if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);

  const cursor = values.after
    ? decodeCursor(values.after, staffKind.dateType, 'after')
    : values.before
      ? decodeCursor(values.before, staffKind.dateType, 'before')
      : null;
  return { filters: { company, shared: shared as SharedState | '', q }, cursor, backwards: Boolean(values.before) };
}

/** Escapes LIKE wildcards, so the search text matches literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Builds the staff list query of a kind: every company's records, newest
 * first, keyset-paged on (date column, id), one row more than a page so the
 * caller can tell whether another page follows. Placeholders are `?`.
 */
// NOTE: the record indexes start (tenant_id, company_id, ...), so without a
// company filter PostgreSQL sorts all of the tenant's rows of the kind for
// each page. That is cheap at thousands of records per kind, not at millions.
export function buildStaffListQuery(
  staffKind: StaffRecordKind,
  request: StaffListRequest,
  today: string,
): { sql: string; params: unknown[] } {
  const { filters, cursor } = request;
  const conditions: string[] = [];
  const params: unknown[] = [];

  if (filters.company) {
    conditions.push('r.company_id = ?');
    params.push(filters.company);
  }
  if (filters.shared === 'yes') conditions.push('r.shared_at IS NOT NULL');
  if (filters.shared === 'no') conditions.push('r.shared_at IS NULL');
  if (filters.q) {
    const pattern = containsPattern(filters.q);
    conditions.push(`(${staffKind.searchColumns.map((column) => `r.${column} ILIKE ?`).join(' OR ')})`);
    for (let index = 0; index < staffKind.searchColumns.length; index += 1) params.push(pattern);
  }

  // Forward pages continue below the cursor. Backward pages walk upwards and are reversed afterwards.
  const descending = !request.backwards;
  if (cursor) {
    conditions.push(`(r.${staffKind.dateColumn}, r.id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(cursor.sortValue, cursor.id);
  }
  const order = descending ? 'DESC' : 'ASC';

  const sql = `SELECT r.id, r.company_id, c.name AS company_name, r.shared_at,
      ${columnOrNull(staffKind.numberColumn)} AS record_number, ${columnOrNull(staffKind.titleColumn)} AS record_title,
      r.${staffKind.dateColumn} AS record_date, ${staffKind.statusSql} AS record_status
    FROM ${staffKind.table} r
    JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
    ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY r.${staffKind.dateColumn} ${order}, r.id ${order}
    LIMIT ${PAGE_SIZE + 1}`;
  return { sql: withToday(sql, today), params };
}

/** Builds the detail query of one record with its company and site names. */
export function buildStaffDetailQuery(staffKind: StaffRecordKind, today: string): string {
  const siteJoin = staffKind.hasSite ? 'LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id' : '';
  const sql = `SELECT r.*, c.name AS company_name, ${staffKind.hasSite ? 's.name' : 'NULL'} AS site_name,
      ${columnOrNull(staffKind.numberColumn)} AS record_number, ${columnOrNull(staffKind.titleColumn)} AS record_title,
      ${staffKind.statusSql} AS record_status${staffKind.detailColumns ? `, ${staffKind.detailColumns}` : ''}
    FROM ${staffKind.table} r
    JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
    ${siteJoin}
    WHERE r.id = ?`;
  return withToday(sql, today);
}

function columnOrNull(column: string | null): string {
  return column ? `r.${column}` : 'NULL::text';
}
