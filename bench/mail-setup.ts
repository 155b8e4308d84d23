import { Client, Pool } from 'pg';

import '../libs/db/src/pg-types';
import { invitePortalUser } from '../libs/access/src/user-access';
import { migrate } from '../libs/db/src/migrator';
import { executorFor } from '../libs/db/src/sql-executor';
import { beginStatement } from '../libs/db/src/tenant-database';
import { applyManifest } from '../libs/provisioning/src/apply-manifest';
import { validateManifest } from '../libs/provisioning/src/manifest-loader';

export interface MailTenant {
  tenantId: string;
  companyId: string;
  staffUserId: string;
}

export interface RecordedInvitations {
  deliveryIds: string[];
  recipients: string[];
}

const INVITATIONS_PER_TRANSACTION = 250;
const PARALLEL_TRANSACTIONS = 4;
const INVITATION_TTL_MINUTES = 7 * 24 * 60;

// A small SVG logo (under 1 KB), so every message carries an inline image as a branded tenant's does.
const LOGO = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60">
  <rect width="240" height="60" rx="8" fill="#1f3a5f"/>
  <circle cx="30" cy="30" r="16" fill="#f2a900"/>
  <path d="M22 30 l6 6 l12 -14" stroke="#1f3a5f" stroke-width="4" fill="none"/>
  <text x="56" y="37" font-family="Helvetica, Arial, sans-serif" font-size="20" fill="#ffffff">Mailbench Fire</text>
</svg>
`,
);

/**
 * Drops and re-creates the bench database, then migrates it, so no queued
 * delivery of an earlier run can reach the sink. The name must contain
 * "bench", because whatever database the URL names is dropped.
 */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name.includes('bench')) {
    throw new Error(`the mail bench drops its database, so its name must contain "bench"; got "${name}"`);
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await migrate(databaseUrl);
}

/** Provisions the tenant the invitations come from: branding with a logo, an owner and one customer company. */
export async function provisionMailTenant(pool: Pool): Promise<MailTenant> {
  const manifest = validateManifest({
    slug: 'mailbench',
    name: 'Mailbench Fire Protection',
    locale: 'en-US',
    time_zone: 'America/Chicago',
    currency: 'USD',
    branding: {
      company_name: 'Mailbench Fire Protection',
      logo: 'logo.svg',
      primary_color: '#1f3a5f',
      accent_color: '#f2a900',
      support_email: 'service@mailbench.example',
      support_phone: '+1 312 555 0199',
      address: '100 Bench Street, Chicago, IL 60601',
    },
    staff_users: [{ email: 'owner@mailbench.example', name: 'Olivia Owner', role: 'owner' }],
    customer_companies: [
      {
        external_id: 'mailbench-c1',
        name: 'Lakeside Property Management',
        sites: [{ external_id: 'mailbench-s1', name: 'Lakeside Tower', address_line1: '1 Lake St', city: 'Chicago', country: 'US' }],
      },
    ],
  });
  const { tenantId } = await applyManifest(pool, { manifest, logo: { bytes: LOGO, contentType: 'image/svg+xml' } });
  const ids = await pool.query<{ company_id: string; staff_user_id: string }>(
    `SELECT (SELECT id FROM customer_companies WHERE tenant_id = $1) AS company_id,
            (SELECT id FROM staff_users WHERE tenant_id = $1) AS staff_user_id`,
    [tenantId],
  );
  return { tenantId, companyId: ids.rows[0].company_id, staffUserId: ids.rows[0].staff_user_id };
}

/**
 * Invites `count` new portal users through invitePortalUser, as the
 * console does: portal_app under the portal_staff role, with the owner as
 * the inviter. Several invitations share a transaction, and a few
 * transactions run at once. Nothing is queued yet.
 */
export async function recordInvitations(appPool: Pool, tenant: MailTenant, count: number): Promise<RecordedInvitations> {
  const deliveryIds: string[] = new Array(count);
  const recipients: string[] = new Array(count);
  let next = 0;

  const inviteBatches = async () => {
    const client = await appPool.connect();
    try {
      while (next < count) {
        const first = next;
        const end = Math.min(count, first + INVITATIONS_PER_TRANSACTION);
        next = end;
        await client.query(beginStatement('portal_staff', { tenantId: tenant.tenantId, userId: tenant.staffUserId }));
        for (let index = first; index < end; index += 1) {
          const email = `invitee-${index}@mailbench-customer.example`;
          const outcome = await invitePortalUser(
            executorFor(client),
            { email, companyId: tenant.companyId, name: `Invitee ${index}` },
            { staffUserId: tenant.staffUserId, ttlMinutes: INVITATION_TTL_MINUTES },
          );
          if (outcome.outcome !== 'invited') throw new Error(`invitation of ${email} returned "${outcome.outcome}"`);
          deliveryIds[index] = outcome.deliveryId;
          recipients[index] = email;
        }
        await client.query('COMMIT');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_TRANSACTIONS }, inviteBatches));
  return { deliveryIds, recipients };
}
