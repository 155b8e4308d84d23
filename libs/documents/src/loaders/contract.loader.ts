import type { SqlExecutor } from '../../../db/src/sql-executor';
import type { ContractData } from '../document-types';
import { loadCompany, LoadContext, minorUnits, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface ContractRow extends SiteColumns {
  company_id: string;
  number: string;
  title: string;
  starts_on: string;
  ends_on: string;
  term_months: number;
  value_minor: string;
  currency: string;
  billing_frequency: string;
  status: string;
  auto_renew: boolean;
  scope: string | null;
}

/** Loads a shared contract with its term, value and scope of coverage. */
export async function loadContract(db: SqlExecutor, id: string, context: LoadContext): Promise<ContractData | null> {
  const [contract] = await db.execute<ContractRow[]>(
    `SELECT r.company_id, r.number, r.title, r.starts_on, r.ends_on, r.term_months, r.value_minor, r.currency,
        r.billing_frequency, r.status, r.auto_renew, r.scope, ${SITE_COLUMNS}
     FROM contracts r
     LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     WHERE r.id = ? AND r.shared_at IS NOT NULL`,
    [id],
  );
  if (!contract) return null;
  const company = await loadCompany(db, contract.company_id);
  if (!company) return null;

  return {
    kind: 'contract',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: contract.number,
    company,
    number: contract.number,
    title: contract.title,
    startsOn: contract.starts_on,
    endsOn: contract.ends_on,
    termMonths: contract.term_months,
    valueMinor: minorUnits(contract.value_minor),
    currency: contract.currency,
    billingFrequency: contract.billing_frequency,
    status: contract.status,
    autoRenew: contract.auto_renew,
    scope: contract.scope,
    site: siteFrom(contract),
  };
}
