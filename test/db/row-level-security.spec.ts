import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { asRole, columnsOf, tenantTables } from '../support/roles';
import { insertAttachment, minimalPdf } from '../support/attachments';

/** Detail tables and the parent record whose visibility they follow. */
const DETAIL_PARENTS: Record<string, [string, string]> = {
  inspection_findings: ['inspection_reports', 'report_id'],
  equipment_inspections: ['equipment', 'equipment_id'],
  invoice_lines: ['invoices', 'invoice_id'],
  invoice_payments: ['invoices', 'invoice_id'],
  proposal_lines: ['proposals', 'proposal_id'],
  warranty_equipment: ['warranties', 'warranty_id'],
};

/**
 * Attachments follow whichever parent record they name, and the fixture
 * tenant has none, so the suite attaches a file to every contract and
 * compliance document of both tenants.
 */
const ATTACHMENT_PARENTS: Array<[string, 'contracts' | 'compliance-documents', string]> = [
  ['contracts', 'contracts', 'contract_id'],
  ['compliance_documents', 'compliance-documents', 'compliance_document_id'],
];

async function attachToEveryRecord(admin: Pool, tenantId: string): Promise<void> {
  for (const [table, parent] of ATTACHMENT_PARENTS) {
    const records = await admin.query<{ id: string; company_id: string }>(
      `SELECT id, company_id FROM ${table} WHERE tenant_id = $1`,
      [tenantId],
    );
    for (const record of records.rows) {
      const fixture = { tenantId, companyId: record.company_id, parent, recordId: record.id };
      await insertAttachment(admin, { ...fixture, fileName: 'certificate.pdf', bytes: minimalPdf(record.id) });
    }
  }
}

/** Tables the customer role cannot read, though it may insert into some; its own service request confirmations are the exception. */
const CUSTOMER_DENIED = new Set([
  'staff_users',
  'email_deliveries',
  'access_tokens',
  'activity_events',
  'user_imports',
  'user_import_rows',
  'webhook_events',
  'webhook_deliveries',
  'api_keys',
]);

/** Gives the tenant an enabled and a disabled webhook endpoint, and one event delivered to the enabled one. */
async function addWebhooks(admin: Pool, tenantId: string): Promise<void> {
  const endpoints = await admin.query<{ id: string; enabled: boolean }>(
    `INSERT INTO webhook_endpoints (tenant_id, url, event_types, enabled, secret_ciphertext)
     VALUES ($1, 'https://hooks.example/on', '{document.viewed}', true, '\\x00'),
            ($1, 'https://hooks.example/off', '{document.viewed}', false, '\\x00')
     RETURNING id, enabled`,
    [tenantId],
  );
  const event = await admin.query<{ id: string }>(
    `INSERT INTO webhook_events (tenant_id, id, type, payload) VALUES ($1, gen_random_uuid(), 'document.viewed', '{}') RETURNING id`,
    [tenantId],
  );
  const enabled = endpoints.rows.find((row) => row.enabled)!;
  await admin.query('INSERT INTO webhook_deliveries (tenant_id, event_id, endpoint_id) VALUES ($1, $2, $3)', [
    tenantId,
    event.rows[0].id,
    enabled.id,
  ]);
}

function tenantColumn(table: string): string {
  return table === 'tenants' ? 'id' : 'tenant_id';
}

function companyColumn(table: string, columns: Set<string>): string | null {
  if (table === 'customer_companies') return 'id';
  return columns.has('company_id') ? 'company_id' : null;
}

describe('row-level security', () => {
  let admin: Pool;
  let app: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let companyX: string;
  let companyY: string;
  let tables: string[];

  beforeAll(async () => {
    admin = adminPool();
    app = appPool();
    tenantA = await provisionTestTenant(admin, 'rls-a');
    tenantB = await provisionTestTenant(admin, 'rls-b');
    const companies = await admin.query<{ id: string; external_id: string }>(
      'SELECT id, external_id FROM customer_companies WHERE tenant_id = $1 ORDER BY external_id',
      [tenantA.tenantId],
    );
    [companyX, companyY] = companies.rows.map((row) => row.id);
    tables = await tenantTables(admin);
    await attachToEveryRecord(admin, tenantA.tenantId);
    await attachToEveryRecord(admin, tenantB.tenantId);
    await addWebhooks(admin, tenantA.tenantId);
    await addWebhooks(admin, tenantB.tenantId);
  });

  afterAll(async () => {
    await admin.end();
    await app.end();
  });

  /** Rows of `table` the customer of tenant A, company X should see, as counted by the superuser. */
  async function expectedCustomerRows(table: string): Promise<number> {
    const columns = await columnsOf(admin, table);
    const conditions = [`t.${tenantColumn(table)} = $1`];
    const company = companyColumn(table, columns);
    if (company) conditions.push(`t.${company} = $2`);
    if (columns.has('shared_at')) conditions.push('t.shared_at IS NOT NULL');
    if (table === 'tenant_domains') conditions.push('t.verified_at IS NOT NULL');
    if (table === 'webhook_endpoints') conditions.push('t.enabled');
    const parent = DETAIL_PARENTS[table];
    if (table === 'equipment_inspections') {
      conditions.push(
        '(t.report_id IS NULL OR EXISTS (SELECT 1 FROM inspection_reports r WHERE r.tenant_id = t.tenant_id AND r.id = t.report_id AND r.shared_at IS NOT NULL))',
      );
    }
    if (table === 'record_attachments') {
      const visibleParents = ATTACHMENT_PARENTS.map(
        ([parentTable, , column]) =>
          `EXISTS (SELECT 1 FROM ${parentTable} p WHERE p.tenant_id = t.tenant_id AND p.id = t.${column} AND p.shared_at IS NOT NULL)`,
      );
      conditions.push(`(${visibleParents.join(' OR ')})`);
    }
    if (parent) {
      conditions.push(
        `EXISTS (SELECT 1 FROM ${parent[0]} p WHERE p.tenant_id = t.tenant_id AND p.id = t.${parent[1]} AND p.shared_at IS NOT NULL)`,
      );
    }
    const result = await admin.query<{ count: string }>(
      `SELECT count(*) FROM ${table} t WHERE ${conditions.join(' AND ')}`,
      company ? [tenantA.tenantId, companyX] : [tenantA.tenantId],
    );
    return Number(result.rows[0].count);
  }

  it('covers every table with data', () => {
    expect(tables.length).toBeGreaterThanOrEqual(23);
    expect(companyX).toBeDefined();
    expect(companyY).toBeDefined();
  });

  it('customer of A/X sees exactly the A/X shared rows of every table', async () => {
    for (const table of tables) {
      if (CUSTOMER_DENIED.has(table)) continue;
      const columns = await columnsOf(admin, table);
      const expected = await expectedCustomerRows(table);
      expect({ table, expected: expected > 0 }).toEqual({ table, expected: true });

      const company = companyColumn(table, columns);
      const selected = [tenantColumn(table), company, columns.has('shared_at') ? 'shared_at' : null].filter(Boolean);
      const visible = await asRole(app, 'portal_customer', { tenantId: tenantA.tenantId, companyId: companyX }, (client) =>
        client.query(`SELECT ${selected.join(', ')} FROM ${table}`),
      );
      expect({ table, count: visible.rowCount }).toEqual({ table, count: expected });

      for (const row of visible.rows) {
        expect({ table, tenant: row[tenantColumn(table)] }).toEqual({ table, tenant: tenantA.tenantId });
        if (company) expect({ table, company: row[company] }).toEqual({ table, company: companyX });
        if (columns.has('shared_at')) expect({ table, shared: row.shared_at !== null }).toEqual({ table, shared: true });
      }
    }
  });

  it('customer role has no access to staff users', async () => {
    await expect(
      asRole(app, 'portal_customer', { tenantId: tenantA.tenantId, companyId: companyX }, (client) =>
        client.query('SELECT * FROM staff_users'),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('staff of A sees every row of A and none of B', async () => {
    for (const table of tables) {
      const column = tenantColumn(table);
      const expected = await admin.query<{ count: string }>(`SELECT count(*) FROM ${table} WHERE ${column} = $1`, [
        tenantA.tenantId,
      ]);
      const visible = await asRole(app, 'portal_staff', { tenantId: tenantA.tenantId }, (client) =>
        client.query(`SELECT ${column} AS tenant FROM ${table}`),
      );
      expect({ table, count: visible.rowCount }).toEqual({ table, count: Number(expected.rows[0].count) });
      expect({ table, foreign: visible.rows.filter((row) => row.tenant !== tenantA.tenantId).length }).toEqual({
        table,
        foreign: 0,
      });
    }
  });

  it('no settings means zero rows for every role', async () => {
    for (const role of ['portal_staff', 'portal_customer', 'portal_auth']) {
      for (const table of tables) {
        const count = await asRole(app, role, {}, (client) => client.query(`SELECT 1 FROM ${table}`))
          .then((result) => result.rowCount)
          .catch((error: Error) => (/permission denied/.test(error.message) ? 0 : Promise.reject(error)));
        expect({ role, table, count }).toEqual({ role, table, count: 0 });
      }
    }
  });

  it('table owner is also subject to the policies', async () => {
    for (const table of tables) {
      for (const tenantId of [undefined, tenantA.tenantId]) {
        const result = await asRole(admin, 'portal_owner', { tenantId }, (client) => client.query(`SELECT 1 FROM ${table}`));
        expect({ table, tenantId, count: result.rowCount }).toEqual({ table, tenantId, count: 0 });
      }
    }
  });

  it('app login role owns nothing and cannot bypass security', async () => {
    const role = await admin.query(
      "SELECT rolsuper, rolbypassrls, rolinherit, rolcanlogin FROM pg_roles WHERE rolname = 'portal_app'",
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolinherit: false, rolcanlogin: true });

    const owned = await admin.query(
      "SELECT relname FROM pg_class WHERE relowner = 'portal_app'::regrole UNION SELECT proname FROM pg_proc WHERE proowner = 'portal_app'::regrole",
    );
    expect(owned.rows).toEqual([]);

    for (const roleName of ['portal_staff', 'portal_customer', 'portal_auth', 'portal_resolver', 'portal_owner']) {
      const flags = await admin.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [roleName]);
      expect({ roleName, ...flags.rows[0] }).toEqual({ roleName, rolsuper: false, rolbypassrls: false });
    }

    const client = await app.connect();
    try {
      await expect(client.query('SELECT * FROM invoices')).rejects.toThrow(/permission denied/);
      await expect(client.query('CREATE TEMP TABLE scratch (value int)')).rejects.toThrow(/permission denied/);
      await expect(client.query('SET ROLE portal_provisioner')).rejects.toThrow(/permission denied/);
      await expect(client.query('SET ROLE portal_owner')).rejects.toThrow(/permission denied/);
    } finally {
      client.release();
    }
  });

  it('customer cannot write records', async () => {
    const settings = { tenantId: tenantA.tenantId, companyId: companyX };
    await expect(
      asRole(app, 'portal_customer', settings, (client) => client.query("UPDATE invoices SET status = 'paid'")),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asRole(app, 'portal_customer', settings, (client) => client.query('DELETE FROM proposals')),
    ).rejects.toThrow(/permission denied/);
  });

  it('customer cannot read uploader or delete attachments', async () => {
    const settings = { tenantId: tenantA.tenantId, companyId: companyX };
    await expect(
      asRole(app, 'portal_customer', settings, (client) => client.query('SELECT uploaded_by FROM record_attachments')),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asRole(app, 'portal_customer', settings, (client) => client.query('DELETE FROM record_attachments')),
    ).rejects.toThrow(/permission denied/);
  });

  it('customer cannot read webhook URLs, secrets or deliveries', async () => {
    const settings = { tenantId: tenantA.tenantId, companyId: companyX };
    for (const sql of [
      'SELECT url FROM webhook_endpoints',
      'SELECT secret_ciphertext FROM webhook_endpoints',
      'SELECT payload FROM webhook_events',
      'SELECT status FROM webhook_deliveries',
      "UPDATE webhook_deliveries SET status = 'succeeded'",
    ]) {
      await expect(asRole(app, 'portal_customer', settings, (client) => client.query(sql))).rejects.toThrow(/permission denied/);
    }
  });

  it('each producer role records only its own event types', async () => {
    const insert = (role: string, type: string) =>
      asRole(app, role, { tenantId: tenantA.tenantId, companyId: companyX }, (client) =>
        client.query(`INSERT INTO webhook_events (tenant_id, id, type, payload) VALUES ($1, gen_random_uuid(), $2, '{}')`, [
          tenantA.tenantId,
          type,
        ]),
      );

    await expect(insert('portal_customer', 'document.viewed')).resolves.toMatchObject({ rowCount: 1 });
    await expect(insert('portal_customer', 'portal_user.activated')).rejects.toThrow(/row-level security/);
    await expect(insert('portal_customer', 'ping')).rejects.toThrow(/row-level security/);
    await expect(insert('portal_auth', 'portal_user.activated')).resolves.toMatchObject({ rowCount: 1 });
    await expect(insert('portal_auth', 'document.viewed')).rejects.toThrow(/row-level security/);
  });

  it('webhook events cannot be changed, even by staff', async () => {
    await expect(
      asRole(app, 'portal_staff', { tenantId: tenantA.tenantId }, (client) => client.query("UPDATE webhook_events SET payload = '{}'")),
    ).rejects.toThrow(/permission denied/);
    // The migrating user bypasses row-level security, so only the trigger rejects the update.
    await expect(admin.query("UPDATE webhook_events SET payload = '{}' WHERE tenant_id = $1", [tenantA.tenantId])).rejects.toThrow(
      /cannot be changed/,
    );
  });

  it('customer files service requests only for its own company', async () => {
    const user = await admin.query<{ id: string }>('SELECT id FROM portal_users WHERE tenant_id = $1 AND company_id = $2', [
      tenantA.tenantId,
      companyX,
    ]);
    const sites = await admin.query<{ id: string; company_id: string }>(
      'SELECT id, company_id FROM sites WHERE tenant_id = $1',
      [tenantA.tenantId],
    );
    const siteOf = (company: string) => sites.rows.find((site) => site.company_id === company)!.id;
    const settings = { tenantId: tenantA.tenantId, companyId: companyX, userId: user.rows[0].id };
    const insert = (company: string, submissionKey: string | null = randomUUID()) =>
      asRole(app, 'portal_customer', settings, (client) =>
        client.query(
          `INSERT INTO service_requests (tenant_id, company_id, site_id, portal_user_id, number, category, urgency, description,
             shared_at, submission_key)
           VALUES ($1, $2, $3, $4, 'SR-T1', 'Leak', 'normal', 'Drip', now(), $5)`,
          [tenantA.tenantId, company, siteOf(company), user.rows[0].id, submissionKey],
        ),
      );

    await expect(insert(companyX)).resolves.toMatchObject({ rowCount: 1 });
    await expect(insert(companyY)).rejects.toThrow(/row-level security/);
    await expect(insert(companyX, null)).rejects.toThrow(/row-level security/);
  });

  it('foreign keys cannot cross tenants', async () => {
    const other = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 LIMIT 1', [
      tenantB.tenantId,
    ]);
    await expect(
      asRole(app, 'portal_staff', { tenantId: tenantA.tenantId }, (client) =>
        client.query(
          `INSERT INTO sites (tenant_id, company_id, external_id, name, address_line1, city)
           VALUES ($1, $2, 'x-site', 'Cross', '1 St', 'Town')`,
          [tenantA.tenantId, other.rows[0].id],
        ),
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it('staff cannot write rows into another tenant', async () => {
    await expect(
      asRole(app, 'portal_staff', { tenantId: tenantA.tenantId }, (client) =>
        client.query(`INSERT INTO customer_companies (tenant_id, external_id, name) VALUES ($1, 'x', 'Intruder')`, [
          tenantB.tenantId,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
