import type { SqlExecutor } from '../../../../../libs/db/src/sql-executor';
import { ConflictError } from '../http/api-errors';
import { DetailDefinition, ResourceDefinition } from '../schema/resource-definition';
import { Body, resolveReferences, ResolvedReferences } from './reference-resolver';
import { detailScalarFields, scalarFields } from './resource-columns';

export interface UpsertOutcome {
  id: string;
  created: boolean;
  /** Whether anything was written; an identical second request writes nothing. */
  changed: boolean;
  companyId: string | null;
}

const TENANT = '(SELECT app_current_tenant_id())';

/**
 * Creates or updates the tenant's row with this external id, and replaces
 * its detail rows as a whole. A row whose columns all match the body is not
 * written, so its updated_at stays put and sync lists do not return it again.
 */
export async function upsertResource(
  sql: SqlExecutor,
  resource: ResourceDefinition,
  externalId: string,
  body: Body,
): Promise<UpsertOutcome> {
  const references = await resolveReferences(sql, resource, body);
  const existing = await sql.execute<Array<{ id: string; company_id: string }>>(
    `SELECT id, ${resource.kind === 'company' ? 'id' : 'company_id'} AS company_id FROM ${resource.table}
     WHERE external_id = ? FOR UPDATE`,
    [externalId],
  );
  // Detail rows name their parent with its company, so they go before the parent moves company.
  const moving = existing[0] !== undefined && references.companyId !== null && existing[0].company_id !== references.companyId;
  if (moving) await deleteDetails(sql, resource, existing[0].id);

  const parent = await upsertParent(sql, resource, externalId, body, references);
  const companyId = resource.kind === 'company' ? parent.id : references.companyId;
  let detailsChanged = moving && resource.details.length > 0;
  for (const detail of resource.details) {
    const rows = (body[detail.field] as Body[] | undefined) ?? [];
    const changed = await replaceDetails(sql, detail, parent.id, companyId!, rows, references.details[detail.field]);
    detailsChanged = detailsChanged || changed;
  }
  if (detailsChanged && !parent.written) {
    await sql.execute(`UPDATE ${resource.table} SET updated_at = now() WHERE id = ?`, [parent.id]);
  }
  return { id: parent.id, created: parent.inserted, changed: parent.written || detailsChanged, companyId };
}

interface ParentResult {
  id: string;
  written: boolean;
  inserted: boolean;
}

async function upsertParent(
  sql: SqlExecutor,
  resource: ResourceDefinition,
  externalId: string,
  body: Body,
  references: ResolvedReferences,
): Promise<ParentResult> {
  const values: Record<string, unknown> = { external_id: externalId, ...references.parent };
  for (const { field, column } of scalarFields(resource)) values[column] = body[field] ?? null;
  Object.assign(values, resource.derive?.(body));
  const columns = Object.keys(values);
  const params = columns.map((column) => values[column]);
  const expressions = columns.map(() => '?');
  const updatable = columns.filter((column) => column !== 'external_id');
  const assignments = updatable.map((column) => `${column} = EXCLUDED.${column}`);
  const differences = updatable.map((column) => `target.${column} IS DISTINCT FROM EXCLUDED.${column}`);

  if (resource.kind === 'record' && typeof body.shared === 'boolean') {
    // Sharing keeps the time a record was first shared; only a change between shared and unshared is a write.
    columns.push('shared_at');
    expressions.push('CASE WHEN ?::boolean THEN now() END');
    params.push(body.shared);
    assignments.push('shared_at = CASE WHEN EXCLUDED.shared_at IS NULL THEN NULL ELSE coalesce(target.shared_at, EXCLUDED.shared_at) END');
    differences.push('(target.shared_at IS NULL) IS DISTINCT FROM (EXCLUDED.shared_at IS NULL)');
  }

  const rows = await sql.execute<ParentResult[]>(
    `WITH written AS (
       INSERT INTO ${resource.table} AS target (tenant_id, ${columns.join(', ')})
       VALUES (${TENANT}, ${expressions.join(', ')})
       ON CONFLICT (tenant_id, external_id) DO UPDATE SET ${assignments.join(', ')}, updated_at = now()
       WHERE ${differences.join(' OR ')}
       RETURNING id, (xmax = 0) AS inserted
     )
     SELECT id, true AS written, inserted FROM written
     UNION ALL
     SELECT id, false, false FROM ${resource.table} WHERE external_id = ? AND NOT EXISTS (SELECT 1 FROM written)`,
    [...params, externalId],
  );
  if (rows[0]) return rows[0];

  // A concurrent request inserted the same row and committed after this
  // statement's snapshot was taken, so only a new statement sees it.
  const [concurrent] = await sql.execute<ParentResult[]>(
    `SELECT id, false AS written, false AS inserted FROM ${resource.table} WHERE external_id = ?`,
    [externalId],
  );
  if (!concurrent) throw new ConflictError({ externalId: 'was changed by a concurrent request. Send the request again.' });
  return concurrent;
}

async function deleteDetails(sql: SqlExecutor, resource: ResourceDefinition, parentId: string): Promise<void> {
  for (const detail of resource.details) {
    await sql.execute(`DELETE FROM ${detail.table} WHERE ${detail.parentColumn} = ?`, [parentId]);
  }
}

/** Writes a value the way PostgreSQL prints the column as text, so stored and sent rows compare equal. */
function canonical(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (field === 'quantity' && typeof value === 'number') return value.toFixed(3);
  return String(value);
}

/**
 * Replaces a parent's detail rows when they differ from the body's, in
 * order. Returns whether it wrote anything.
 */
async function replaceDetails(
  sql: SqlExecutor,
  detail: DetailDefinition,
  parentId: string,
  companyId: string,
  rows: Body[],
  references: Array<Record<string, string | null>>,
): Promise<boolean> {
  const scalars = detailScalarFields(detail);
  const referenceColumns = detail.references.map((reference) => reference.column);
  const columns = [...scalars.map((scalar) => scalar.column), ...referenceColumns];
  const wanted = rows.map((row, index) => [
    ...scalars.map(({ field }) => canonical(field, row[field])),
    ...referenceColumns.map((column) => references[index][column]),
  ]);

  const stored = await sql.execute<Array<{ values: Array<string | null> }>>(
    `SELECT ARRAY[${columns.map((column) => `${column}::text`).join(', ')}] AS values
     FROM ${detail.table} WHERE ${detail.parentColumn} = ? ORDER BY position`,
    [parentId],
  );
  if (JSON.stringify(stored.map((row) => row.values)) === JSON.stringify(wanted)) return false;

  await sql.execute(`DELETE FROM ${detail.table} WHERE ${detail.parentColumn} = ?`, [parentId]);
  if (wanted.length === 0) return true;
  const placeholders = `(${TENANT}, ?, ?, ?, ${columns.map(() => '?').join(', ')})`;
  await sql.execute(
    `INSERT INTO ${detail.table} (tenant_id, company_id, ${detail.parentColumn}, position, ${columns.join(', ')})
     VALUES ${wanted.map(() => placeholders).join(', ')}`,
    wanted.flatMap((values, position) => [companyId, parentId, position, ...values]),
  );
  return true;
}
