import type { SqlExecutor } from '../../../../../libs/db/src/sql-executor';
import { DetailDefinition, ReferenceField, ResourceDefinition } from '../schema/resource-definition';
import { encodeCursor, ListQuery } from './list-query';
import { detailScalarFields, fieldOf, numbersOf, scalarFields } from './resource-columns';

export type ApiRow = Record<string, unknown>;

export interface ApiPage {
  data: ApiRow[];
  nextCursor: string | null;
}

/** updated_at in UTC with microseconds, so a cursor keeps the exact position and clients can compare it. */
const MICROSECOND_TIME = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

function utcText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', ${MICROSECOND_TIME})`;
}

/** Selects a reference column as the external id of the row it names. */
function referenceSelect(alias: string, reference: ReferenceField): string {
  return `(SELECT r.external_id FROM ${reference.table} r
    WHERE r.tenant_id = ${alias}.tenant_id AND r.id = ${alias}.${reference.column}) AS "${reference.field}"`;
}

function parentSelect(resource: ResourceDefinition): string {
  const columns = [
    't.id AS "id"',
    't.external_id AS "externalId"',
    ...resource.references.map((reference) => referenceSelect('t', reference)),
    ...scalarFields(resource).map(({ field, column }) => `t.${column} AS "${field}"`),
    ...Object.keys(resource.readOnly ?? {}).map((column) => `t.${column} AS "${fieldOf(column)}"`),
    ...(resource.kind === 'record' ? ['t.shared_at IS NOT NULL AS "shared"'] : []),
    `${utcText('t.created_at')} AS "createdAt"`,
    `${utcText('t.updated_at')} AS "updatedAt"`,
  ];
  return `SELECT ${columns.join(', ')} FROM ${resource.table} t`;
}

async function loadDetails(sql: SqlExecutor, detail: DetailDefinition, parents: ApiRow[]): Promise<void> {
  const columns = [
    `d.${detail.parentColumn} AS "parentId"`,
    ...detail.references.map((reference) => referenceSelect('d', reference)),
    ...detailScalarFields(detail).map(({ field, column }) => `d.${column} AS "${field}"`),
  ];
  const rows = await sql.execute<ApiRow[]>(
    `SELECT ${columns.join(', ')} FROM ${detail.table} d
     WHERE d.${detail.parentColumn} = ANY(?::uuid[]) ORDER BY d.${detail.parentColumn}, d.position`,
    [parents.map((parent) => parent.id)],
  );
  const byParent = new Map<unknown, ApiRow[]>(parents.map((parent) => [parent.id, []]));
  for (const { parentId, ...row } of rows) byParent.get(parentId)?.push(numbersOf(row));
  for (const parent of parents) parent[detail.field] = byParent.get(parent.id) ?? [];
}

async function withDetails(sql: SqlExecutor, resource: ResourceDefinition, rows: ApiRow[]): Promise<ApiRow[]> {
  rows.forEach(numbersOf);
  if (rows.length === 0) return rows;
  for (const detail of resource.details) await loadDetails(sql, detail, rows);
  return rows;
}

/** Returns the tenant's row with this external id, with its detail rows, or null. */
export async function findByExternalId(sql: SqlExecutor, resource: ResourceDefinition, externalId: string): Promise<ApiRow | null> {
  const rows = await sql.execute<ApiRow[]>(`${parentSelect(resource)} WHERE t.external_id = ?`, [externalId]);
  const [row] = await withDetails(sql, resource, rows);
  return row ?? null;
}

/**
 * Returns one page in (updated_at, id) order. A row changed while a client
 * pages moves behind the cursor and comes again on a later page.
 */
// NOTE: updated_at is the writing transaction's start time, so a row that a
// slow transaction commits late can sort before a cursor a client has
// already passed. Clients that sync by updated_since should overlap windows.
export async function listPage(sql: SqlExecutor, resource: ResourceDefinition, query: ListQuery): Promise<ApiPage> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.updatedSince) {
    conditions.push('t.updated_at >= ?::timestamptz');
    params.push(query.updatedSince);
  }
  if (query.after) {
    conditions.push('(t.updated_at, t.id) > (?::timestamptz, ?::uuid)');
    params.push(query.after.updatedAt, query.after.id);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await sql.execute<ApiRow[]>(`${parentSelect(resource)} ${where} ORDER BY t.updated_at, t.id LIMIT ?`, [
    ...params,
    query.limit + 1,
  ]);

  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > query.limit && last ? encodeCursor({ updatedAt: String(last.updatedAt), id: String(last.id) }) : null;
  return { data: await withDetails(sql, resource, page), nextCursor };
}
