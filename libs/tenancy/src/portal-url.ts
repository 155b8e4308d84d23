import type { AppConfig } from '../../config/src';

export type PortalUrlConfig = Pick<AppConfig, 'PORTAL_PUBLIC_URL_TEMPLATE' | 'PORTAL_BASE_DOMAIN'>;

/**
 * Scalar subquery for the tenant's primary verified hostname, or NULL. It
 * relies on the tenant pin of row-level security to pick the tenant.
 */
export const PRIMARY_HOST_SQL =
  '(SELECT hostname FROM tenant_domains WHERE is_primary AND verified_at IS NOT NULL LIMIT 1)';

/**
 * Builds a tenant's portal URL from configuration: the primary verified
 * domain when there is one, else `{slug}.{PORTAL_BASE_DOMAIN}`. Links in
 * emails and documents use it, never a request's Host header.
 */
export function portalUrlFor(config: PortalUrlConfig, tenant: { slug: string; primaryHost: string | null }): string {
  const host = tenant.primaryHost ?? `${tenant.slug}.${config.PORTAL_BASE_DOMAIN}`;
  return config.PORTAL_PUBLIC_URL_TEMPLATE.replace('{host}', host);
}
