import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';

import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { asRole, RoleSettings } from '../support/roles';

const SHA = 'a'.repeat(64);

describe('service request policies', () => {
  let admin: Pool;
  let app: Pool;
  let tenant: TestTenant;
  let customer: RoleSettings & { email: string; siteId: string };
  let neighbour: RoleSettings;

  beforeAll(async () => {
    admin = adminPool();
    app = appPool();
    tenant = await provisionTestTenant(admin, 'sr-policy');
    const users = await admin.query<{ id: string; company_id: string; email: string; site_id: string }>(
      `SELECT u.id, u.company_id, u.email, s.id AS site_id FROM portal_users u
       JOIN sites s ON s.tenant_id = u.tenant_id AND s.company_id = u.company_id
       WHERE u.tenant_id = $1 ORDER BY u.email`,
      [tenant.tenantId],
    );
    const [first, second] = users.rows;
    customer = { tenantId: tenant.tenantId, companyId: first.company_id, userId: first.id, email: first.email, siteId: first.site_id };
    neighbour = { tenantId: tenant.tenantId, companyId: second.company_id, userId: second.id };
  });

  afterAll(async () => {
    await admin.end();
    await app.end();
  });

  function insertRequest(client: PoolClient, submissionKey = randomUUID(), id = randomUUID()): Promise<unknown> {
    return client.query(
      `INSERT INTO service_requests (tenant_id, company_id, id, site_id, portal_user_id, number, category, urgency, description,
         shared_at, submission_key)
       VALUES ($1, $2, $3, $4, $5, $6, 'Other', 'normal', 'Policy test', now(), $7)`,
      [customer.tenantId, customer.companyId, id, customer.siteId, customer.userId, `SR-P-${id.slice(0, 8)}`, submissionKey],
    );
  }

  function insertAttachment(client: PoolClient, requestId: string, settings: RoleSettings = customer): Promise<unknown> {
    return client.query(
      `INSERT INTO record_attachments (tenant_id, company_id, service_request_id, file_name, byte_size, sha256, storage_key,
         content_type, portal_user_id)
       VALUES ($1, $2, $3, 'photo.jpg', 10, $4, $5, 'image/jpeg', $6)`,
      [settings.tenantId, settings.companyId, requestId, SHA, `tenants/${settings.tenantId}/uploads/x/${SHA}.jpg`, settings.userId],
    );
  }

  it('attachments only for a request of this transaction', async () => {
    const inserted = await asRole(app, 'portal_customer', customer, async (client) => {
      const id = randomUUID();
      await insertRequest(client, randomUUID(), id);
      await insertAttachment(client, id);
      return (await client.query('SELECT 1 FROM record_attachments WHERE service_request_id = $1', [id])).rowCount;
    });
    expect(inserted).toBe(1);

    // An earlier, committed request of the same user takes no more files.
    const earlier = randomUUID();
    await admin.query(
      `INSERT INTO service_requests (tenant_id, company_id, id, site_id, portal_user_id, number, category, urgency, description, shared_at)
       VALUES ($1, $2, $3, $4, $5, 'SR-P-EARLIER', 'Other', 'normal', 'Committed before', now())`,
      [customer.tenantId, customer.companyId, earlier, customer.siteId, customer.userId],
    );
    await expect(asRole(app, 'portal_customer', customer, (client) => insertAttachment(client, earlier))).rejects.toThrow(
      /row-level security/,
    );
  });

  it('customer cannot attach for another company', async () => {
    await expect(
      asRole(app, 'portal_customer', customer, async (client) => {
        const id = randomUUID();
        await insertRequest(client, randomUUID(), id);
        await insertAttachment(client, id, { ...customer, companyId: neighbour.companyId });
      }),
    ).rejects.toThrow(/row-level security/);
  });

  it('one request per submission key', async () => {
    const key = randomUUID();
    const first = await app.connect();
    const second = await app.connect();
    const open = `SELECT set_config('role', 'portal_customer', true), set_config('app.tenant_id', $1, true),
      set_config('app.company_id', $2, true), set_config('app.user_id', $3, true)`;
    try {
      for (const client of [first, second]) {
        await client.query('BEGIN');
        await client.query(open, [customer.tenantId, customer.companyId, customer.userId]);
      }
      await insertRequest(first, key);
      // The second insert waits for the first transaction, then fails on the unique key.
      const waiting = insertRequest(second, key).then(
        () => 'inserted',
        (error: Error) => error.message,
      );
      await first.query('COMMIT');
      expect(await waiting).toMatch(/service_requests_submission_key/);
    } finally {
      await second.query('ROLLBACK').catch(() => undefined);
      first.release();
      second.release();
    }
    const rows = await admin.query('SELECT 1 FROM service_requests WHERE tenant_id = $1 AND submission_key = $2', [tenant.tenantId, key]);
    expect(rows.rowCount).toBe(1);
  });

  it('customer records its own confirmation only', async () => {
    const record = (recipient: string, kind = 'service_request_received') =>
      asRole(app, 'portal_customer', customer, (client) =>
        client.query(`INSERT INTO email_deliveries (tenant_id, kind, recipient) VALUES ($1, $2, $3) RETURNING id`, [
          customer.tenantId,
          kind,
          recipient,
        ]),
      );

    await expect(record(customer.email)).resolves.toMatchObject({ rowCount: 1 });
    await expect(record('someone@else.example')).rejects.toThrow(/row-level security/);
    await expect(record(customer.email, 'service_request_submitted')).rejects.toThrow(/row-level security/);
    await expect(record(customer.email, 'password_reset')).rejects.toThrow(/row-level security/);
  });

  it('customer advances only the request counter', async () => {
    const advanced = await asRole(app, 'portal_customer', customer, (client) =>
      client.query('UPDATE tenants SET last_service_request_number = last_service_request_number + 1 RETURNING id'),
    );
    expect(advanced.rowCount).toBe(1);
    await expect(
      asRole(app, 'portal_customer', customer, (client) => client.query(`UPDATE tenants SET service_request_intake = 'lead'`)),
    ).rejects.toThrow(/permission denied/);
  });

  it('equipment must be on the request site', async () => {
    const site = await admin.query<{ id: string }>(
      `INSERT INTO sites (tenant_id, company_id, external_id, name, address_line1, city)
       VALUES ($1, $2, $3, 'Second site', '9 Elm St', 'Springfield') RETURNING id`,
      [customer.tenantId, customer.companyId, `policy-site-${randomUUID()}`],
    );
    const equipment = await admin.query<{ id: string }>(
      `SELECT id FROM equipment WHERE tenant_id = $1 AND company_id = $2 AND site_id = $3 LIMIT 1`,
      [customer.tenantId, customer.companyId, customer.siteId],
    );
    await expect(
      admin.query(
        `INSERT INTO service_requests (tenant_id, company_id, site_id, equipment_id, number, category, urgency, description)
         VALUES ($1, $2, $3, $4, 'SR-P-SITE', 'Other', 'normal', 'Wrong site')`,
        [customer.tenantId, customer.companyId, site.rows[0].id, equipment.rows[0].id],
      ),
    ).rejects.toThrow(/service_requests_equipment_on_site/);
  });
});
