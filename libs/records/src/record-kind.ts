import type { SqlExecutor } from '../../db/src/sql-executor';

/** Values a list or detail query may use besides the row-level security settings. */
export interface QueryContext {
  /** Today's date in the tenant's time zone, YYYY-MM-DD. */
  today: string;
  /** The current instant. */
  now: Date;
}

export type SortValueType = 'date' | 'timestamp' | 'text';

/**
 * One of the record kinds the portal lists. The list query is keyset-paged
 * on (sortColumn, id), both NOT NULL, in one direction, backed by an index
 * that starts (tenant_id, company_id, sortColumn, id).
 */
export interface RecordKind {
  /** URL segment and template folder, such as "invoices". */
  slug: string;
  title: string;
  singular: string;
  /** Text shown when the list is empty. */
  emptyMessage: string;
  /** SELECT list and FROM clause, aliasing the record table as r. */
  select: string;
  sortColumn: string;
  sortType: SortValueType;
  direction: 'asc' | 'desc';
  /**
   * Status filter values mapped to SQL conditions. The select list and the
   * conditions may write :today for today's date in the tenant's time zone.
   */
  filters: Record<string, { label: string; where: string }>;
  /** Loads one record with its detail rows, or null when it is not visible. */
  detail(sql: SqlExecutor, id: string, context: QueryContext): Promise<Record<string, unknown> | null>;
}
