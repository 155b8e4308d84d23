import { Migration } from '@mikro-orm/migrations';

/**
 * Creates the tenant data model and its row-level security.
 *
 * Every table carries tenant_id first in its primary key and in every foreign
 * key, so no row can point at another tenant's row and the schema can be
 * distributed by tenant_id. Customer-owned tables also carry company_id, and
 * references between customer-owned rows include it, so a record cannot point
 * at another company's site or equipment either.
 *
 * Policies come in two layers. A RESTRICTIVE tenant_scope policy applies to
 * every role and pins rows to app.tenant_id. PERMISSIVE policies then grant
 * each request role what it may touch. A narrower scope added later (sites or
 * record kinds per contact) is one more RESTRICTIVE policy for
 * portal_customer, not a rewrite of these.
 *
 * This file is frozen once applied: later changes belong in new migrations.
 */
export class Migration20261204000100_schema extends Migration {
  override async up(): Promise<void> {
    this.addSql('GRANT USAGE, CREATE ON SCHEMA public TO portal_owner;');
    this.addSql(
      'GRANT USAGE ON SCHEMA public TO portal_app, portal_provisioner, portal_staff, portal_customer, portal_auth, portal_resolver;',
    );
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(SETTINGS_FUNCTIONS);
    this.addSql(PLATFORM_TABLES);
    this.addSql(COMPANY_TABLES);
    this.addSql(RECORD_TABLES);

    for (const statement of platformPolicies()) this.addSql(statement);
    for (const table of COMPANY_SCOPED) this.addSql(companyTablePolicies(table));
    for (const table of SHARED_RECORDS) this.addSql(sharedRecordPolicies(table));
    for (const [table, parent, parentColumn] of DETAIL_ROWS) {
      this.addSql(detailRowPolicies(table, parent, parentColumn));
    }
    this.addSql(SERVICE_REQUEST_INSERT);
    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    const tables = [
      ...DETAIL_ROWS.map(([table]) => table),
      ...SHARED_RECORDS.slice().reverse(),
      'portal_users',
      'sites',
      'customer_companies',
      'staff_users',
      'brandings',
      'tenant_domains',
      'tenants',
    ];
    for (const table of tables) this.addSql(`DROP TABLE IF EXISTS ${table} CASCADE;`);
    this.addSql('DROP FUNCTION IF EXISTS app_current_tenant_id(), app_current_company_id(), app_current_user_id();');
  }
}

// Custom settings read back as '' (not NULL) once any transaction in the
// session has set them, so both cases map to NULL, which matches no row.
const SETTINGS_FUNCTIONS = `
CREATE FUNCTION app_current_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION app_current_company_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.company_id', true), '')::uuid $$;
CREATE FUNCTION app_current_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
`;

const PLATFORM_TABLES = `
CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  locale text NOT NULL DEFAULT 'en-US',
  time_zone text NOT NULL DEFAULT 'UTC',
  currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Slugs name platform hostnames, which are global by nature.
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE tenant_domains (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  hostname text NOT NULL CHECK (hostname = lower(hostname) AND hostname !~ '[:/ ]' AND hostname !~ '\\.$'),
  verified_at timestamptz,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- A hostname belongs to one tenant only, so this key is global on purpose.
CREATE UNIQUE INDEX tenant_domains_hostname_key ON tenant_domains (hostname);
CREATE UNIQUE INDEX tenant_domains_one_primary ON tenant_domains (tenant_id) WHERE is_primary;

CREATE TABLE brandings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  company_name text NOT NULL,
  tagline text,
  logo bytea,
  logo_content_type text CHECK (logo_content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
  primary_color char(7) NOT NULL DEFAULT '#1f4e79' CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
  accent_color char(7) NOT NULL DEFAULT '#c8102e' CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
  support_email text,
  support_phone text,
  website_url text,
  address text,
  welcome_message text,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_users (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email)),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  password_hash text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'disabled')),
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email)
);
`;

const COMPANY_TABLES = `
CREATE TABLE customer_companies (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  external_id text NOT NULL,
  name text NOT NULL,
  account_number text,
  billing_email text,
  phone text,
  address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, external_id)
);

CREATE TABLE sites (
  tenant_id uuid NOT NULL,
  company_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  external_id text NOT NULL,
  name text NOT NULL,
  address_line1 text NOT NULL,
  address_line2 text,
  city text NOT NULL,
  region text,
  postal_code text,
  country char(2) NOT NULL DEFAULT 'US',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, company_id, id),
  UNIQUE (tenant_id, external_id),
  FOREIGN KEY (tenant_id, company_id) REFERENCES customer_companies (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE portal_users (
  tenant_id uuid NOT NULL,
  company_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email)),
  name text,
  password_hash text,
  status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'disabled')),
  invited_at timestamptz,
  activated_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email),
  FOREIGN KEY (tenant_id, company_id) REFERENCES customer_companies (tenant_id, id) ON DELETE CASCADE
);
`;

/** Columns every record kind shares; the foreign key to its company follows. */
const RECORD_COLUMNS = `
  tenant_id uuid NOT NULL,
  company_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  external_id text,
  shared_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, company_id, id),
  UNIQUE (tenant_id, external_id),
  FOREIGN KEY (tenant_id, company_id) REFERENCES customer_companies (tenant_id, id) ON DELETE CASCADE`;

/** Columns every detail row shares: it belongs to a record of the same company. */
const DETAIL_COLUMNS = `
  tenant_id uuid NOT NULL,
  company_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)`;

const siteKey = `FOREIGN KEY (tenant_id, company_id, site_id) REFERENCES sites (tenant_id, company_id, id)`;
const money = (column: string) => `${column} bigint NOT NULL DEFAULT 0 CHECK (${column} >= 0)`;
const currency = `currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')`;

const RECORD_TABLES = `
CREATE TABLE equipment (${RECORD_COLUMNS},
  site_id uuid NOT NULL,
  name text NOT NULL,
  category text NOT NULL,
  manufacturer text,
  model text,
  serial_number text,
  location text,
  installed_on date,
  status text NOT NULL DEFAULT 'in_service' CHECK (status IN ('in_service', 'out_of_service', 'retired')),
  ${siteKey}
);
CREATE INDEX equipment_list ON equipment (tenant_id, company_id, name, id);

CREATE TABLE inspection_reports (${RECORD_COLUMNS},
  site_id uuid NOT NULL,
  number text NOT NULL,
  title text NOT NULL,
  inspection_type text NOT NULL,
  inspected_on date NOT NULL,
  inspector_name text NOT NULL,
  result text NOT NULL CHECK (result IN ('pass', 'deficiencies', 'fail')),
  summary text,
  UNIQUE (tenant_id, number),
  ${siteKey}
);
CREATE INDEX inspection_reports_list ON inspection_reports (tenant_id, company_id, inspected_on DESC, id DESC);

CREATE TABLE inspection_findings (${DETAIL_COLUMNS},
  report_id uuid NOT NULL,
  equipment_id uuid,
  severity text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'advisory')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'deferred')),
  is_deficiency boolean NOT NULL DEFAULT true,
  location text NOT NULL,
  description text NOT NULL,
  recommendation text,
  code_reference text,
  FOREIGN KEY (tenant_id, company_id, report_id) REFERENCES inspection_reports (tenant_id, company_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, company_id, equipment_id) REFERENCES equipment (tenant_id, company_id, id)
);
CREATE INDEX inspection_findings_report ON inspection_findings (tenant_id, report_id, position);

CREATE TABLE equipment_inspections (${DETAIL_COLUMNS},
  equipment_id uuid NOT NULL,
  report_id uuid,
  inspected_on date NOT NULL,
  result text NOT NULL CHECK (result IN ('pass', 'deficiencies', 'fail')),
  notes text,
  FOREIGN KEY (tenant_id, company_id, equipment_id) REFERENCES equipment (tenant_id, company_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, company_id, report_id) REFERENCES inspection_reports (tenant_id, company_id, id) ON DELETE SET NULL (report_id)
);
CREATE INDEX equipment_inspections_equipment ON equipment_inspections (tenant_id, equipment_id, inspected_on DESC);

CREATE TABLE invoices (${RECORD_COLUMNS},
  site_id uuid,
  number text NOT NULL,
  issued_on date NOT NULL,
  due_on date NOT NULL CHECK (due_on >= issued_on),
  ${currency},
  ${money('subtotal_minor')},
  ${money('tax_minor')},
  ${money('total_minor')},
  ${money('amount_paid_minor')},
  balance_minor bigint GENERATED ALWAYS AS (total_minor - amount_paid_minor) STORED,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'void')),
  notes text,
  UNIQUE (tenant_id, number),
  CHECK (amount_paid_minor <= total_minor),
  ${siteKey}
);
CREATE INDEX invoices_list ON invoices (tenant_id, company_id, issued_on DESC, id DESC);
CREATE INDEX invoices_outstanding ON invoices (tenant_id, company_id, due_on) WHERE status = 'open';

CREATE TABLE invoice_lines (${DETAIL_COLUMNS},
  invoice_id uuid NOT NULL,
  description text NOT NULL,
  quantity numeric(12, 3) NOT NULL CHECK (quantity > 0),
  ${money('unit_price_minor')},
  ${money('amount_minor')},
  FOREIGN KEY (tenant_id, company_id, invoice_id) REFERENCES invoices (tenant_id, company_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (tenant_id, invoice_id, position);

CREATE TABLE invoice_payments (${DETAIL_COLUMNS},
  invoice_id uuid NOT NULL,
  paid_on date NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  method text NOT NULL CHECK (method IN ('check', 'ach', 'card', 'wire', 'cash')),
  reference text,
  FOREIGN KEY (tenant_id, company_id, invoice_id) REFERENCES invoices (tenant_id, company_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (tenant_id, invoice_id, paid_on);

CREATE TABLE compliance_requirements (${RECORD_COLUMNS},
  site_id uuid NOT NULL,
  title text NOT NULL,
  code_reference text,
  authority text,
  frequency text NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'semiannual', 'annual', 'three_year', 'five_year', 'one_time')),
  last_completed_on date,
  due_on date NOT NULL,
  completed_on date,
  notes text,
  ${siteKey}
);
CREATE INDEX compliance_requirements_list ON compliance_requirements (tenant_id, company_id, due_on, id);

CREATE TABLE compliance_documents (${RECORD_COLUMNS},
  site_id uuid,
  requirement_id uuid,
  title text NOT NULL,
  document_type text NOT NULL CHECK (document_type IN ('certificate', 'permit', 'report', 'letter', 'other')),
  issuer text,
  issued_on date NOT NULL,
  expires_on date,
  ${siteKey},
  FOREIGN KEY (tenant_id, company_id, requirement_id) REFERENCES compliance_requirements (tenant_id, company_id, id)
);
CREATE INDEX compliance_documents_list ON compliance_documents (tenant_id, company_id, issued_on DESC, id DESC);

CREATE TABLE contracts (${RECORD_COLUMNS},
  site_id uuid,
  number text NOT NULL,
  title text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL CHECK (ends_on >= starts_on),
  term_months integer NOT NULL CHECK (term_months > 0),
  ${money('value_minor')},
  ${currency},
  billing_frequency text NOT NULL CHECK (billing_frequency IN ('monthly', 'quarterly', 'annual', 'one_time')),
  status text NOT NULL CHECK (status IN ('pending', 'active', 'expired', 'cancelled')),
  auto_renew boolean NOT NULL DEFAULT false,
  scope text,
  UNIQUE (tenant_id, number),
  ${siteKey}
);
CREATE INDEX contracts_list ON contracts (tenant_id, company_id, starts_on DESC, id DESC);

CREATE TABLE proposals (${RECORD_COLUMNS},
  site_id uuid,
  number text NOT NULL,
  title text NOT NULL,
  summary text,
  issued_on date NOT NULL,
  valid_until date NOT NULL CHECK (valid_until >= issued_on),
  status text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'declined', 'expired')),
  ${currency},
  ${money('subtotal_minor')},
  ${money('tax_minor')},
  ${money('total_minor')},
  terms text,
  responded_at timestamptz,
  responded_by_user_id uuid,
  response_name text,
  response_reason text,
  UNIQUE (tenant_id, number),
  ${siteKey},
  FOREIGN KEY (tenant_id, responded_by_user_id) REFERENCES portal_users (tenant_id, id)
);
CREATE INDEX proposals_list ON proposals (tenant_id, company_id, issued_on DESC, id DESC);

CREATE TABLE proposal_lines (${DETAIL_COLUMNS},
  proposal_id uuid NOT NULL,
  description text NOT NULL,
  quantity numeric(12, 3) NOT NULL CHECK (quantity > 0),
  ${money('unit_price_minor')},
  ${money('amount_minor')},
  is_optional boolean NOT NULL DEFAULT false,
  FOREIGN KEY (tenant_id, company_id, proposal_id) REFERENCES proposals (tenant_id, company_id, id) ON DELETE CASCADE
);
CREATE INDEX proposal_lines_proposal ON proposal_lines (tenant_id, proposal_id, position);

CREATE TABLE work_orders (${RECORD_COLUMNS},
  site_id uuid NOT NULL,
  equipment_id uuid,
  number text NOT NULL,
  title text NOT NULL,
  work_type text NOT NULL CHECK (work_type IN ('inspection', 'repair', 'maintenance', 'installation', 'emergency')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'emergency')),
  status text NOT NULL CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
  scheduled_start timestamptz NOT NULL,
  scheduled_end timestamptz,
  completed_at timestamptz,
  technician_name text,
  service_details text,
  technician_notes text,
  UNIQUE (tenant_id, number),
  ${siteKey},
  FOREIGN KEY (tenant_id, company_id, equipment_id) REFERENCES equipment (tenant_id, company_id, id)
);
CREATE INDEX work_orders_list ON work_orders (tenant_id, company_id, scheduled_start DESC, id DESC);

CREATE TABLE warranties (${RECORD_COLUMNS},
  provider text NOT NULL,
  policy_number text NOT NULL,
  warranty_type text NOT NULL CHECK (warranty_type IN ('manufacturer', 'installer', 'extended')),
  coverage text,
  starts_on date NOT NULL,
  expires_on date NOT NULL CHECK (expires_on >= starts_on)
);
CREATE INDEX warranties_list ON warranties (tenant_id, company_id, expires_on, id);

CREATE TABLE warranty_equipment (${DETAIL_COLUMNS},
  warranty_id uuid NOT NULL,
  equipment_id uuid NOT NULL,
  UNIQUE (tenant_id, warranty_id, equipment_id),
  FOREIGN KEY (tenant_id, company_id, warranty_id) REFERENCES warranties (tenant_id, company_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, company_id, equipment_id) REFERENCES equipment (tenant_id, company_id, id) ON DELETE CASCADE
);
CREATE INDEX warranty_equipment_equipment ON warranty_equipment (tenant_id, equipment_id);

CREATE TABLE service_requests (${RECORD_COLUMNS},
  site_id uuid NOT NULL,
  equipment_id uuid,
  portal_user_id uuid,
  number text NOT NULL,
  category text NOT NULL,
  urgency text NOT NULL CHECK (urgency IN ('low', 'normal', 'high', 'emergency')),
  description text NOT NULL,
  preferred_dates text,
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'triaged', 'scheduled', 'closed')),
  UNIQUE (tenant_id, number),
  ${siteKey},
  FOREIGN KEY (tenant_id, company_id, equipment_id) REFERENCES equipment (tenant_id, company_id, id),
  FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id)
);
CREATE INDEX service_requests_list ON service_requests (tenant_id, company_id, created_at DESC, id DESC);
`;

const TENANT = '(SELECT app_current_tenant_id())';
const COMPANY = '(SELECT app_current_company_id())';
const REQUEST_ROLES = 'portal_staff, portal_customer, portal_auth, portal_provisioner';
const WRITE_ROLES = 'portal_staff, portal_provisioner';

function enableRls(table: string): string {
  return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`;
}

/** RESTRICTIVE tenant pin plus full access for staff and the provisioner. */
function tenantScope(table: string, column = 'tenant_id', roles = 'PUBLIC'): string {
  return `${enableRls(table)}
CREATE POLICY tenant_scope ON ${table} AS RESTRICTIVE FOR ALL TO ${roles}
  USING (${column} = ${TENANT}) WITH CHECK (${column} = ${TENANT});
CREATE POLICY staff_access ON ${table} FOR ALL TO ${WRITE_ROLES} USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${WRITE_ROLES};`;
}

function platformPolicies(): string[] {
  return [
    // portal_resolver reads tenants and tenant_domains before any tenant is
    // known, and portal_provisioner looks tenants up by slug to create or
    // update them, so the tenant pin on tenants names the request roles only.
    `${tenantScope('tenants', 'id', 'portal_staff, portal_customer, portal_auth')}
REVOKE INSERT, DELETE ON tenants FROM portal_staff;
CREATE POLICY customer_read ON tenants FOR SELECT TO portal_customer, portal_auth USING (true);
GRANT SELECT ON tenants TO portal_customer, portal_auth;
CREATE POLICY resolver_read ON tenants FOR SELECT TO portal_resolver USING (status = 'active');
GRANT SELECT (id, slug, status) ON tenants TO portal_resolver;`,
    `${tenantScope('tenant_domains', 'tenant_id', REQUEST_ROLES)}
CREATE POLICY customer_read ON tenant_domains FOR SELECT TO portal_customer USING (verified_at IS NOT NULL);
GRANT SELECT ON tenant_domains TO portal_customer;
CREATE POLICY resolver_read ON tenant_domains FOR SELECT TO portal_resolver USING (verified_at IS NOT NULL);
GRANT SELECT (tenant_id, hostname, verified_at, is_primary) ON tenant_domains TO portal_resolver;`,
    `${tenantScope('brandings')}
CREATE POLICY customer_read ON brandings FOR SELECT TO portal_customer USING (true);
GRANT SELECT ON brandings TO portal_customer;`,
    `${tenantScope('staff_users')}
CREATE POLICY auth_access ON staff_users FOR ALL TO portal_auth USING (true) WITH CHECK (true);
GRANT SELECT (tenant_id, id, email, name, role, password_hash, status), UPDATE (last_login_at) ON staff_users TO portal_auth;`,
  ];
}

/** Tables every portal user of the company may read, shared or not. */
const COMPANY_SCOPED: Array<[string, string]> = [
  ['customer_companies', 'id'],
  ['sites', 'company_id'],
  ['portal_users', 'company_id'],
];

function companyTablePolicies([table, companyColumn]: [string, string]): string {
  const auth =
    table === 'portal_users'
      ? `CREATE POLICY auth_access ON portal_users FOR ALL TO portal_auth USING (true) WITH CHECK (true);
GRANT SELECT (tenant_id, company_id, id, email, name, password_hash, status), UPDATE (last_login_at) ON portal_users TO portal_auth;
GRANT SELECT (tenant_id, company_id, id, email, name, status, last_login_at) ON portal_users TO portal_customer;`
      : `GRANT SELECT ON ${table} TO portal_customer;`;

  return `${tenantScope(table)}
CREATE POLICY customer_read ON ${table} FOR SELECT TO portal_customer USING (${companyColumn} = ${COMPANY});
${auth}`;
}

/** The nine record kinds: customers see their company's rows once shared. */
const SHARED_RECORDS = [
  'equipment',
  'inspection_reports',
  'invoices',
  'compliance_requirements',
  'compliance_documents',
  'contracts',
  'proposals',
  'work_orders',
  'warranties',
  'service_requests',
];

function sharedRecordPolicies(table: string): string {
  return `${tenantScope(table)}
CREATE POLICY customer_read ON ${table} FOR SELECT TO portal_customer
  USING (company_id = ${COMPANY} AND shared_at IS NOT NULL);
GRANT SELECT ON ${table} TO portal_customer;`;
}

/**
 * Detail rows follow their parent record: the EXISTS runs under the parent's
 * own policies, so an unshared parent hides its rows too.
 */
const DETAIL_ROWS: Array<[string, string, string]> = [
  ['inspection_findings', 'inspection_reports', 'report_id'],
  ['equipment_inspections', 'equipment', 'equipment_id'],
  ['invoice_lines', 'invoices', 'invoice_id'],
  ['invoice_payments', 'invoices', 'invoice_id'],
  ['proposal_lines', 'proposals', 'proposal_id'],
  ['warranty_equipment', 'warranties', 'warranty_id'],
];

function detailRowPolicies(table: string, parent: string, parentColumn: string): string {
  return `${tenantScope(table)}
CREATE POLICY customer_read ON ${table} FOR SELECT TO portal_customer
  USING (company_id = ${COMPANY} AND EXISTS (
    SELECT 1 FROM ${parent} parent
    WHERE parent.tenant_id = ${table}.tenant_id AND parent.id = ${table}.${parentColumn}));
GRANT SELECT ON ${table} TO portal_customer;`;
}

// Customers may file service requests for their own company, as themselves,
// and only in the initial status.
const SERVICE_REQUEST_INSERT = `
CREATE POLICY customer_submit ON service_requests FOR INSERT TO portal_customer
  WITH CHECK (company_id = ${COMPANY} AND portal_user_id = (SELECT app_current_user_id())
    AND status = 'submitted' AND shared_at IS NOT NULL);
GRANT INSERT (tenant_id, company_id, id, external_id, site_id, equipment_id, portal_user_id, number,
  category, urgency, description, preferred_dates, shared_at) ON service_requests TO portal_customer;
`;
