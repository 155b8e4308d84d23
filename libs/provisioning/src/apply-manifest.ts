import { Pool, PoolClient } from 'pg';

import { hashPassword, verifyPassword } from '../../auth/src/passwords';
import { applyCompany } from './apply-company';
import { DateResolver } from './date-resolver';
import { LoadedManifest } from './manifest-loader';
import { TenantManifest } from './manifest.schema';
import { ChangeCounter, upsert } from './upsert';

export interface ApplyResult {
  tenantId: string;
  slug: string;
  written: number;
  unchanged: number;
  removed: number;
}

export interface ProvisioningContext {
  client: PoolClient;
  tenantId: string;
  manifest: TenantManifest;
  dates: DateResolver;
  counter: ChangeCounter;
}

/**
 * Creates or updates a tenant from its manifest in one transaction, as
 * portal_provisioner with the tenant pinned, so the same row-level security
 * that guards requests also guards provisioning. `pool` must connect as a
 * user that is a member of portal_provisioner (the migrating user).
 */
export async function applyManifest(pool: Pool, loaded: LoadedManifest, now = new Date()): Promise<ApplyResult> {
  const { manifest } = loaded;
  const client = await pool.connect();
  const counter = new ChangeCounter();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('role', 'portal_provisioner', true)");
    const existing = await client.query<{ id: string }>('SELECT id FROM tenants WHERE slug = $1', [manifest.slug]);
    const tenantId = existing.rows[0]?.id ?? (await client.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows[0].id;
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);

    const context: ProvisioningContext = {
      client,
      tenantId,
      manifest,
      dates: new DateResolver(manifest.time_zone, now),
      counter,
    };
    await applyTenant(context, loaded.logo);
    for (const company of manifest.customer_companies) await applyCompany(context, company);

    await client.query('COMMIT');
    return { tenantId, slug: manifest.slug, ...counter };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function applyTenant(context: ProvisioningContext, logo: LoadedManifest['logo']): Promise<void> {
  const { client, tenantId, manifest, counter } = context;
  const branding = manifest.branding;

  await upsert(
    client,
    {
      table: 'tenants',
      conflict: ['id'],
      values: {
        id: tenantId,
        slug: manifest.slug,
        name: manifest.name,
        locale: manifest.locale,
        time_zone: manifest.time_zone,
        currency: manifest.currency,
      },
    },
    counter,
  );

  const brandingValues = {
    tenant_id: tenantId,
    company_name: branding.company_name,
    tagline: branding.tagline ?? null,
    logo: logo?.bytes ?? null,
    logo_content_type: logo?.contentType ?? null,
    primary_color: branding.primary_color,
    accent_color: branding.accent_color,
    support_email: branding.support_email ?? null,
    support_phone: branding.support_phone ?? null,
    website_url: branding.website_url ?? null,
    address: branding.address ?? null,
    welcome_message: branding.welcome_message ?? null,
  };
  const before = counter.written;
  await upsert(client, { table: 'brandings', conflict: ['tenant_id'], values: brandingValues }, counter);
  if (counter.written > before) {
    // Cached pages and documents key on the version, so a change must bump it.
    await client.query('UPDATE brandings SET version = version + 1 WHERE tenant_id = $1', [tenantId]);
  }

  for (const domain of manifest.domains) {
    const found = await client.query<{ id: string }>('SELECT id FROM tenant_domains WHERE hostname = $1', [domain.hostname]);
    await upsert(
      client,
      {
        table: 'tenant_domains',
        conflict: ['tenant_id', 'id'],
        values: {
          tenant_id: tenantId,
          id: found.rows[0]?.id ?? (await client.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows[0].id,
          hostname: domain.hostname,
          is_primary: domain.primary,
          verified_at: domain.verified ? new Date(0) : null,
        },
        keepWhenSet: ['verified_at'],
      },
      counter,
    );
  }

  for (const staff of manifest.staff_users) {
    const userId = await upsert(
      client,
      {
        table: 'staff_users',
        conflict: ['tenant_id', 'email'],
        values: { tenant_id: tenantId, email: staff.email, name: staff.name, role: staff.role, status: 'active' },
      },
      counter,
    );
    if (staff.password) await setPasswordIfChanged(context, 'staff_users', userId, staff.password);
  }
}

/** Stores a new hash only when the stored one does not match, so re-applies write nothing. */
export async function setPasswordIfChanged(
  context: ProvisioningContext,
  table: 'staff_users' | 'portal_users',
  userId: string,
  password: string,
): Promise<void> {
  const { client, counter } = context;
  const stored = await client.query<{ password_hash: string | null }>(
    `SELECT password_hash FROM ${table} WHERE id = $1`,
    [userId],
  );
  const hash = stored.rows[0]?.password_hash;
  if (hash && (await verifyPassword(hash, password))) {
    counter.unchanged += 1;
    return;
  }

  await client.query(`UPDATE ${table} SET password_hash = $2, updated_at = now() WHERE id = $1`, [
    userId,
    await hashPassword(password),
  ]);
  counter.written += 1;
}
