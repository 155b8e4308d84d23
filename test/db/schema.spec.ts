import { Pool } from 'pg';

import { adminPool } from '../support/fixtures';
import { tenantTables } from '../support/roles';

/**
 * Unique keys that are global on purpose: two name hostnames, and an API
 * key's public id names the key before its tenant is known.
 */
const GLOBAL_UNIQUE_INDEXES = new Set(['tenants_slug_key', 'tenant_domains_hostname_key', 'tenants_pkey', 'api_keys_public_id_key']);

describe('schema rules for tenant tables', () => {
  let admin: Pool;
  let tables: string[];

  beforeAll(async () => {
    admin = adminPool();
    tables = await tenantTables(admin);
  });

  afterAll(() => admin.end());

  it('every table enables and forces row-level security', async () => {
    const result = await admin.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
       WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace`,
      [tables],
    );
    for (const row of result.rows) {
      expect(row).toEqual({ relname: row.relname, relrowsecurity: true, relforcerowsecurity: true });
    }
    expect(result.rowCount).toBe(tables.length);
  });

  it('every table pins the tenant with a restrictive policy', async () => {
    const result = await admin.query<{ tablename: string; permissive: string; qual: string }>(
      `SELECT tablename, permissive, qual FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_scope'`,
    );
    const byTable = new Map(result.rows.map((row) => [row.tablename, row]));
    for (const table of tables) {
      const policy = byTable.get(table);
      expect({ table, permissive: policy?.permissive }).toEqual({ table, permissive: 'RESTRICTIVE' });
      // The setting is read through a scalar subquery so it is evaluated once per statement.
      expect({ table, qual: policy?.qual }).toEqual({ table, qual: expect.stringContaining('SELECT app_current_tenant_id()') });
    }
  });

  it('tenant_id leads every primary key', async () => {
    const result = await admin.query<{ table: string; first_column: string }>(
      `SELECT c.conrelid::regclass::text AS table, a.attname AS first_column
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace`,
    );
    const firstColumn = new Map(result.rows.map((row) => [row.table, row.first_column]));
    for (const table of tables) {
      expect({ table, key: firstColumn.get(table) }).toEqual({ table, key: table === 'tenants' ? 'id' : 'tenant_id' });
    }
  });

  it('every foreign key includes tenant_id', async () => {
    const result = await admin.query<{ name: string; table: string; columns: string[] }>(
      `SELECT c.conname AS name, c.conrelid::regclass::text AS table,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
       WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
       GROUP BY c.conname, c.conrelid`,
    );
    expect(result.rowCount).toBeGreaterThan(20);
    for (const row of result.rows) {
      expect({ name: row.name, hasTenant: row.columns.includes('tenant_id') }).toEqual({ name: row.name, hasTenant: true });
    }
  });

  it('unique keys are scoped by tenant', async () => {
    const result = await admin.query<{ index: string; table: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS table,
              pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
       WHERE i.indisunique AND t.relnamespace = 'public'::regnamespace AND t.relname <> 'schema_migrations'`,
    );
    for (const row of result.rows) {
      if (GLOBAL_UNIQUE_INDEXES.has(row.index)) continue;
      expect({ index: row.index, scoped: /\(tenant_id[,)]/.test(row.definition) }).toEqual({ index: row.index, scoped: true });
    }
  });

  it('every table has tenant_id, and customer-owned tables company_id', async () => {
    const result = await admin.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('tenant_id', 'company_id')`,
    );
    const has = (table: string, column: string) =>
      result.rows.some((row) => row.table_name === table && row.column_name === column);
    const platform = new Set([
      'tenants',
      'tenant_domains',
      'brandings',
      'staff_users',
      'customer_companies',
      'email_deliveries',
      'access_tokens',
      'activity_events',
      'user_imports',
      'user_import_rows',
      'webhook_endpoints',
      'webhook_events',
      'webhook_deliveries',
      'api_keys',
    ]);
    for (const table of tables) {
      if (table !== 'tenants') expect({ table, tenant: has(table, 'tenant_id') }).toEqual({ table, tenant: true });
      if (!platform.has(table)) expect({ table, company: has(table, 'company_id') }).toEqual({ table, company: true });
    }
  });
});
