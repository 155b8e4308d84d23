import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';

/** Tables the integration API upserts by external id and lists by (updated_at, id). */
const SYNCED_TABLES = [
  'customer_companies',
  'sites',
  'portal_users',
  'equipment',
  'inspection_reports',
  'invoices',
  'compliance_requirements',
  'compliance_documents',
  'contracts',
  'proposals',
  'work_orders',
  'warranties',
];

/**
 * API keys for the integration API under /api/v1, external ids on portal
 * users, and the indexes the API's sync lists page on.
 *
 * A request names its key, not its tenant, so the key must be found before
 * any tenant is set. That lookup goes through one SECURITY DEFINER function,
 * api_key_credentials(public_id), owned by portal_api_key_reader. That role
 * cannot log in, nobody is a member of it, and it may read six columns of
 * api_keys and the id and slug of active tenants. Only portal_app may
 * execute the function, and its search_path is pinned so no object of
 * another schema can stand in for the tables it reads.
 */
export class Migration20261204000800_api_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_api_key_reader') THEN
          CREATE ROLE portal_api_key_reader NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END
      $$;`);
    this.addSql('GRANT USAGE ON SCHEMA public TO portal_api_key_reader;');
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(API_KEYS);
    this.addSql(API_KEY_POLICIES);
    this.addSql(PORTAL_USER_EXTERNAL_IDS);
    for (const table of SYNCED_TABLES) {
      this.addSql(`CREATE INDEX ${table}_api_sync ON ${table} (tenant_id, updated_at, id);`);
    }
    this.addSql(LOOKUP_FUNCTION);
    this.addSql('RESET ROLE;');
    // Only a superuser or a member may give an object to another role, so this runs as the migrating user.
    this.addSql('ALTER FUNCTION api_key_credentials(text) OWNER TO portal_api_key_reader;');
    this.addSql('REVOKE ALL ON FUNCTION api_key_credentials(text) FROM PUBLIC;');
    this.addSql('GRANT EXECUTE ON FUNCTION api_key_credentials(text) TO portal_app;');
  }

  override async down(): Promise<void> {
    this.addSql('DROP FUNCTION IF EXISTS api_key_credentials(text);');
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP POLICY IF EXISTS api_key_reader_read ON tenants;');
    this.addSql('REVOKE ALL ON tenants FROM portal_api_key_reader;');
    for (const table of SYNCED_TABLES) this.addSql(`DROP INDEX IF EXISTS ${table}_api_sync;`);
    this.addSql('DROP INDEX IF EXISTS portal_users_external_id;');
    this.addSql('ALTER TABLE portal_users DROP COLUMN IF EXISTS external_id;');
    this.addSql('DROP TABLE IF EXISTS api_keys;');
    this.addSql('RESET ROLE;');
    this.addSql('REVOKE USAGE ON SCHEMA public FROM portal_api_key_reader;');
  }
}

// public_id is unique across tenants on purpose: it is how a request names
// its key before the tenant is known. It is random, so it reveals nothing.
const API_KEYS = `
CREATE TABLE api_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  public_id text NOT NULL CHECK (public_id ~ '^[0-9a-f]{24}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  scope text NOT NULL CHECK (scope IN ('read', 'read_write')),
  secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (created_by),
  FOREIGN KEY (tenant_id, revoked_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (revoked_by)
);
CREATE UNIQUE INDEX api_keys_public_id_key ON api_keys (public_id);
CREATE INDEX api_keys_recent ON api_keys (tenant_id, created_at DESC);
`;

// The tenant pin names every role but portal_api_key_reader, which reads
// across tenants by design and only through the lookup function. Staff may
// revoke a key and the API stamps its last use; nothing else changes.
const API_KEY_POLICIES = `
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON api_keys AS RESTRICTIVE FOR ALL
  TO portal_staff, portal_customer, portal_auth, portal_resolver, portal_provisioner, portal_owner
  USING (tenant_id = ${TENANT}) WITH CHECK (tenant_id = ${TENANT});
CREATE POLICY staff_access ON api_keys FOR ALL TO portal_staff USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON api_keys TO portal_staff;
GRANT UPDATE (last_used_at, revoked_at, revoked_by) ON api_keys TO portal_staff;
CREATE POLICY key_lookup ON api_keys FOR SELECT TO portal_api_key_reader USING (true);
GRANT SELECT (tenant_id, id, public_id, secret_hash, scope, revoked_at) ON api_keys TO portal_api_key_reader;
CREATE POLICY api_key_reader_read ON tenants FOR SELECT TO portal_api_key_reader USING (status = 'active');
GRANT SELECT (id, slug, status) ON tenants TO portal_api_key_reader;
`;

// Portal users created in the console have none, so the column is nullable.
const PORTAL_USER_EXTERNAL_IDS = `
ALTER TABLE portal_users ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX portal_users_external_id ON portal_users (tenant_id, external_id);
`;

const LOOKUP_FUNCTION = `
CREATE FUNCTION api_key_credentials(key_public_id text)
  RETURNS TABLE (tenant_id uuid, tenant_slug text, key_id uuid, secret_hash bytea, scope text, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT k.tenant_id, t.slug, k.id, k.secret_hash, k.scope, k.revoked_at IS NOT NULL
    FROM public.api_keys k JOIN public.tenants t ON t.id = k.tenant_id
    WHERE k.public_id = key_public_id AND t.status = 'active'
  $$;
`;
