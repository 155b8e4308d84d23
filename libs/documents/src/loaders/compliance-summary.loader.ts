import type { SqlExecutor } from '../../../db/src/sql-executor';
import { DUE_SOON_DAYS, requirementStatusSql } from '../../../records/src/kinds/compliance.kind';
import type {
  ComplianceSite,
  ComplianceSummaryData,
  RequirementEntry,
  RequirementStatus,
  StatusCounts,
} from '../document-types';
import { loadCompany, LoadContext, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface RequirementRow extends SiteColumns {
  site_id: string;
  title: string;
  code_reference: string | null;
  authority: string | null;
  frequency: string;
  last_completed_on: string | null;
  due_on: string;
  completed_on: string | null;
  status: RequirementStatus;
}

/**
 * Loads every shared compliance requirement of a customer company, per site,
 * with its status computed against today in the tenant's time zone by the
 * same SQL the portal uses. `companyId` names the company, not a record.
 */
export async function loadComplianceSummary(
  db: SqlExecutor,
  companyId: string,
  context: LoadContext,
): Promise<ComplianceSummaryData | null> {
  const company = await loadCompany(db, companyId);
  if (!company) return null;

  // Open requirements come first at each site, earliest due first.
  const rows = await db.execute<RequirementRow[]>(
    `SELECT s.id AS site_id, ${SITE_COLUMNS}, r.title, r.code_reference, r.authority, r.frequency,
        r.last_completed_on, r.due_on, r.completed_on, ${requirementStatusSql('d.today')} AS status
     FROM compliance_requirements r
     JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     CROSS JOIN (SELECT ?::date AS today) d
     WHERE r.company_id = ? AND r.shared_at IS NOT NULL
     ORDER BY s.name, s.id, r.completed_on IS NOT NULL, r.due_on, r.title, r.id`,
    [context.today, companyId],
  );

  // A Map keeps the sites in the order the query returned them.
  const sites = new Map<string, ComplianceSite>();
  const counts = emptyCounts();
  for (const row of rows) {
    let site = sites.get(row.site_id);
    if (!site) {
      site = { ...siteFrom(row)!, counts: emptyCounts(), requirements: [] };
      sites.set(row.site_id, site);
    }
    site.requirements.push(requirementEntry(row));
    countStatus(site.counts, row.status);
    countStatus(counts, row.status);
  }

  return {
    kind: 'compliance-summary',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: company.accountNumber ?? company.name,
    company,
    asOf: context.today,
    dueSoonDays: DUE_SOON_DAYS,
    counts,
    sites: [...sites.values()],
  };
}

function emptyCounts(): StatusCounts {
  return { overdue: 0, due: 0, upcoming: 0, completed: 0, total: 0 };
}

function countStatus(counts: StatusCounts, status: RequirementStatus): void {
  counts[status] += 1;
  counts.total += 1;
}

function requirementEntry(row: RequirementRow): RequirementEntry {
  return {
    title: row.title,
    codeReference: row.code_reference,
    authority: row.authority,
    frequency: row.frequency,
    lastCompletedOn: row.last_completed_on,
    dueOn: row.due_on,
    completedOn: row.completed_on,
    status: row.status,
  };
}
