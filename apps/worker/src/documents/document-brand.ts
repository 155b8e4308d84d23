import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { portalUrlFor, PortalUrlConfig, PRIMARY_HOST_SQL } from '../../../../libs/tenancy/src/portal-url';

/** The tenant's branding as a printed document shows it. */
export interface DocumentBrand {
  companyName: string;
  tagline: string | null;
  /** The logo as a data: URL, so the page loads nothing from a network or a disk. */
  logoDataUrl: string | null;
  primaryColor: string;
  accentColor: string;
  supportEmail: string | null;
  supportPhone: string | null;
  websiteUrl: string | null;
  address: string | null;
  portalUrl: string;
  /** The brandings row's version, which changes whenever staff change the branding. */
  version: number;
}

interface BrandRow {
  slug: string;
  company_name: string;
  tagline: string | null;
  logo: Buffer | null;
  logo_content_type: string | null;
  primary_color: string;
  accent_color: string;
  support_email: string | null;
  support_phone: string | null;
  website_url: string | null;
  address: string | null;
  version: number;
  primary_host: string | null;
}

// The brandings table allows the same four types.
const LOGO_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml']);
const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/** Loads the branding of the tenant the transaction is pinned to, or null when it has none. */
export async function loadDocumentBrand(db: SqlExecutor, config: PortalUrlConfig): Promise<DocumentBrand | null> {
  const [row] = await db.execute<BrandRow[]>(
    `SELECT t.slug, b.company_name, b.tagline, b.logo, b.logo_content_type, b.primary_color,
        b.accent_color, b.support_email, b.support_phone, b.website_url, b.address, b.version,
        ${PRIMARY_HOST_SQL} AS primary_host
     FROM tenants t JOIN brandings b ON b.tenant_id = t.id`,
  );
  if (!row) return null;

  return {
    companyName: row.company_name,
    tagline: row.tagline,
    logoDataUrl: logoDataUrl(row.logo, row.logo_content_type),
    // Colours go into a style sheet, where HTML escaping does not apply, so
    // only the exact #rrggbb form the table allows gets through.
    primaryColor: HEX_COLOUR.test(row.primary_color) ? row.primary_color : '#1f4e79',
    accentColor: HEX_COLOUR.test(row.accent_color) ? row.accent_color : '#c8102e',
    supportEmail: row.support_email,
    supportPhone: row.support_phone,
    websiteUrl: row.website_url,
    address: row.address,
    portalUrl: portalUrlFor(config, { slug: row.slug, primaryHost: row.primary_host }),
    version: row.version,
  };
}

/** Builds a base64 data: URL from logo bytes, or null when there is no logo or its type is not an allowed image. */
export function logoDataUrl(logo: Buffer | null, contentType: string | null): string | null {
  if (!logo || logo.length === 0 || !contentType || !LOGO_TYPES.has(contentType)) return null;
  return `data:${contentType};base64,${logo.toString('base64')}`;
}
