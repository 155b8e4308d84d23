import type { SqlExecutor } from '../../../../../libs/db/src/sql-executor';
import { InvalidReferenceError } from '../http/api-errors';
import { pathText } from './body-validation';
import { ReferenceField, ResourceDefinition } from '../schema/resource-definition';

export type Body = Record<string, unknown>;

/** Reference columns of the parent and of each detail row, as database ids. */
export interface ResolvedReferences {
  companyId: string | null;
  parent: Record<string, string | null>;
  /** Per detail field, per row: column to id. */
  details: Record<string, Array<Record<string, string | null>>>;
}

interface NamedReference {
  reference: ReferenceField;
  externalId: string;
  path: Array<string | number>;
}

interface FoundRow {
  external_id: string;
  id: string;
  company_id: string;
}

/**
 * Finds every row the body names by external id. Row-level security pins
 * the lookups to the key's tenant, so another tenant's row is as missing as
 * one that does not exist. Every problem is gathered into one 422.
 */
export async function resolveReferences(sql: SqlExecutor, resource: ResourceDefinition, body: Body): Promise<ResolvedReferences> {
  const named = namedReferences(resource, body);
  const found = await findRows(sql, named);
  const problems: Record<string, string> = {};

  const company = named.find((item) => item.reference.table === 'customer_companies');
  const companyId = company ? (found.get(`${company.reference.table}:${company.externalId}`)?.id ?? null) : null;
  const resolved: ResolvedReferences = { companyId, parent: {}, details: {} };
  for (const reference of resource.references) resolved.parent[reference.column] = null;
  for (const detail of resource.details) {
    resolved.details[detail.field] = ((body[detail.field] as Body[]) ?? []).map(() =>
      Object.fromEntries(detail.references.map((reference) => [reference.column, null])),
    );
  }

  for (const item of named) {
    const row = found.get(`${item.reference.table}:${item.externalId}`);
    const path = pathText(item.path);
    if (!row) {
      problems[path] = `no ${item.reference.label} of this tenant has the external id ${JSON.stringify(item.externalId)}`;
      continue;
    }
    if (item.reference.sameCompany && companyId && row.company_id !== companyId) {
      problems[path] = `${item.reference.label} ${JSON.stringify(item.externalId)} belongs to another customer company`;
      continue;
    }
    const [detailField, index] = item.path;
    const target = item.path.length > 1 ? resolved.details[detailField as string][index as number] : resolved.parent;
    target[item.reference.column] = row.id;
  }

  if (Object.keys(problems).length > 0) throw new InvalidReferenceError(problems);
  return resolved;
}

function namedReferences(resource: ResourceDefinition, body: Body): NamedReference[] {
  const named: NamedReference[] = [];
  for (const reference of resource.references) {
    const value = body[reference.field];
    if (typeof value === 'string') named.push({ reference, externalId: value, path: [reference.field] });
  }
  for (const detail of resource.details) {
    const rows = (body[detail.field] as Body[] | undefined) ?? [];
    rows.forEach((row, index) => {
      for (const reference of detail.references) {
        const value = row[reference.field];
        if (typeof value === 'string') named.push({ reference, externalId: value, path: [detail.field, index, reference.field] });
      }
    });
  }
  return named;
}

/** Finds the named rows with one query per referenced table, keyed by table and external id. */
async function findRows(sql: SqlExecutor, named: NamedReference[]): Promise<Map<string, FoundRow>> {
  const byTable = new Map<string, Set<string>>();
  for (const item of named) {
    const ids = byTable.get(item.reference.table) ?? new Set<string>();
    ids.add(item.externalId);
    byTable.set(item.reference.table, ids);
  }
  const found = new Map<string, FoundRow>();
  for (const [table, ids] of byTable) {
    const companyColumn = table === 'customer_companies' ? 'id' : 'company_id';
    const rows = await sql.execute<FoundRow[]>(
      `SELECT external_id, id, ${companyColumn} AS company_id FROM ${table} WHERE external_id = ANY(?::text[])`,
      [[...ids]],
    );
    for (const row of rows) found.set(`${table}:${row.external_id}`, row);
  }
  return found;
}
