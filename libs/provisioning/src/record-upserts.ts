import { ProvisioningContext } from './apply-manifest';
import { removeExtraDetails, stableId, upsert } from './upsert';

/** External ids of a company's rows mapped to their database ids. */
export interface CompanyIds {
  companyId: string;
  sites: Map<string, string>;
  equipment: Map<string, string>;
  reports: Map<string, string>;
  requirements: Map<string, string>;
  users: Map<string, string>;
  usersByName: Map<string, string>;
}
/** Upserts a record by external id; shared_at keeps its first value across applies. */
export function upsertRecord(
  context: ProvisioningContext,
  table: string,
  ids: CompanyIds,
  record: { external_id: string; shared: boolean },
  values: Record<string, unknown>,
): Promise<string> {
  return upsert(
    context.client,
    {
      table,
      conflict: ['tenant_id', 'external_id'],
      values: {
        tenant_id: context.tenantId,
        company_id: ids.companyId,
        external_id: record.external_id,
        shared_at: record.shared ? new Date() : null,
        ...values,
      },
      keepWhenSet: ['shared_at'],
    },
    context.counter,
  );
}

/** Upserts a parent's detail rows with stable ids and removes rows no longer listed. */
export async function applyDetails(
  context: ProvisioningContext,
  table: string,
  parentColumn: string,
  parentId: string,
  ids: CompanyIds,
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  const kept: string[] = [];
  for (const [position, row] of rows.entries()) {
    const id = stableId(context.tenantId, table, parentId, String(position));
    kept.push(id);
    await upsert(
      context.client,
      {
        table,
        conflict: ['tenant_id', 'id'],
        values: { tenant_id: context.tenantId, company_id: ids.companyId, id, position, [parentColumn]: parentId, ...row },
      },
      context.counter,
    );
  }
  await removeExtraDetails(context.client, table, parentColumn, parentId, kept, context.counter);
}

export function lookup(map: Map<string, string>, key: string | null | undefined): string | null {
  return key ? (map.get(key) ?? null) : null;
}

