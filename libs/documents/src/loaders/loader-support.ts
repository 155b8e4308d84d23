import type { SqlExecutor } from '../../../db/src/sql-executor';
import type { DocumentParty, DocumentSite } from '../document-types';

/** Tenant settings a loader needs besides the row-level security settings. */
export interface LoadContext {
  /** Today's date in the tenant's time zone, YYYY-MM-DD. */
  today: string;
  locale: string;
  timeZone: string;
}

/** Site columns of a query that joins `sites s`, under the names siteFrom reads. */
export const SITE_COLUMNS = `s.name AS site_name, s.address_line1 AS site_line1, s.address_line2 AS site_line2,
  s.city AS site_city, s.region AS site_region, s.postal_code AS site_postal_code`;

export interface SiteColumns {
  site_name: string | null;
  site_line1: string | null;
  site_line2: string | null;
  site_city: string | null;
  site_region: string | null;
  site_postal_code: string | null;
}

/** Joins the non-empty parts of an address with commas, keeping region and postal code together. */
export function addressLine(parts: {
  line1: string | null;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
}): string {
  const regionAndCode = [parts.region, parts.postalCode].filter(Boolean).join(' ');
  return [parts.line1, parts.line2, parts.city, regionAndCode].filter(Boolean).join(', ');
}

/** Returns the joined site, or null when the record names none (a LEFT JOIN found nothing). */
export function siteFrom(row: SiteColumns): DocumentSite | null {
  if (row.site_name === null) return null;
  return {
    name: row.site_name,
    address: addressLine({
      line1: row.site_line1,
      line2: row.site_line2,
      city: row.site_city,
      region: row.site_region,
      postalCode: row.site_postal_code,
    }),
  };
}

/** Loads the customer company a record belongs to, or null when it is not in the tenant. */
export async function loadCompany(db: SqlExecutor, companyId: string): Promise<DocumentParty | null> {
  const [company] = await db.execute<
    Array<{ name: string; account_number: string | null; address: string | null; billing_email: string | null; phone: string | null }>
  >('SELECT name, account_number, address, billing_email, phone FROM customer_companies WHERE id = ?', [companyId]);
  if (!company) return null;

  return {
    name: company.name,
    accountNumber: company.account_number,
    address: company.address,
    billingEmail: company.billing_email,
    phone: company.phone,
  };
}

/** Writes a timestamptz value as an ISO 8601 instant in UTC. */
export function isoInstant(value: Date | string): string;
export function isoInstant(value: Date | string | null): string | null;
export function isoInstant(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Writes a money column as a string of minor units, whatever the driver returned for the bigint. */
export function minorUnits(value: string | number | bigint): string {
  return BigInt(value).toString();
}
