import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';
const COMPANY = '(SELECT app_current_company_id())';
const USER = '(SELECT app_current_user_id())';

/** Runs under the customer's own policies on the parent, so an unshared parent hides the attachment. */
function parentVisible(parent: string, column: string): string {
  return `(${column} IS NOT NULL AND EXISTS (SELECT 1 FROM ${parent} parent
      WHERE parent.tenant_id = record_attachments.tenant_id AND parent.id = record_attachments.${column}))`;
}

/**
 * Lets portal users submit service requests with photos or PDFs, and staff
 * triage them into work orders or track them as leads.
 *
 * - tenants: the intake setting (lead or work order) and the counter that
 *   numbers requests SR-000001, SR-000002, ... per tenant. Customers may
 *   only advance the counter; the row lock it takes orders concurrent submits.
 * - service_requests: a one-time submission key, unique per tenant, so a form
 *   posted twice creates one request; the intake the request was filed under;
 *   a lead status; and a foreign key that keeps the equipment on the site.
 * - work_orders: an optional link back to the request it was created from,
 *   at most one work order per request.
 * - record_attachments: a third parent, service requests, with the file's
 *   media type and the portal user who uploaded it. A customer may insert an
 *   attachment only for a request that its own transaction has just inserted.
 * - email_deliveries: two new kinds. A customer may record the confirmation
 *   of its own request, addressed to itself.
 */
export class Migration20261204000700_service_requests extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(TENANT_SETTINGS);
    this.addSql(SERVICE_REQUEST_COLUMNS);
    this.addSql(WORK_ORDER_LINK);
    this.addSql(ATTACHMENT_PARENT);
    this.addSql(EMAIL_KINDS);
    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(`DELETE FROM email_deliveries WHERE kind IN ('service_request_received', 'service_request_submitted');`);
    this.addSql(`DROP POLICY IF EXISTS customer_confirmation ON email_deliveries;
      DROP POLICY IF EXISTS customer_confirmation_read ON email_deliveries;
      REVOKE INSERT, SELECT ON email_deliveries FROM portal_customer;
      ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check;
      ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_kind_check
        CHECK (kind IN ('branding_test', 'invitation', 'password_reset', 'document_shared', 'proposal_responded'));`);
    this.addSql(`DELETE FROM record_attachments WHERE service_request_id IS NOT NULL;
      DROP POLICY IF EXISTS customer_submit ON record_attachments;
      DROP POLICY customer_read ON record_attachments;
      CREATE POLICY customer_read ON record_attachments FOR SELECT TO portal_customer
        USING (company_id = ${COMPANY} AND (${parentVisible('contracts', 'contract_id')}
          OR ${parentVisible('compliance_documents', 'compliance_document_id')}));
      ALTER TABLE record_attachments DROP CONSTRAINT record_attachments_one_parent;
      ALTER TABLE record_attachments ADD CONSTRAINT record_attachments_check1
        CHECK (num_nonnulls(contract_id, compliance_document_id) = 1);
      ALTER TABLE record_attachments DROP COLUMN service_request_id, DROP COLUMN content_type,
        DROP COLUMN portal_user_id;`);
    this.addSql('ALTER TABLE work_orders DROP COLUMN service_request_id;');
    this.addSql(`DROP POLICY customer_submit ON service_requests;
      CREATE POLICY customer_submit ON service_requests FOR INSERT TO portal_customer
        WITH CHECK (company_id = ${COMPANY} AND portal_user_id = ${USER}
          AND status = 'submitted' AND shared_at IS NOT NULL);
      ALTER TABLE service_requests DROP CONSTRAINT service_requests_equipment_on_site;
      ALTER TABLE service_requests DROP COLUMN submission_key, DROP COLUMN intake, DROP COLUMN lead_status,
        DROP COLUMN triaged_at;
      DROP INDEX service_requests_inbox;
      ALTER TABLE equipment DROP CONSTRAINT equipment_site_key;`);
    this.addSql(`DROP POLICY customer_number ON tenants;
      ALTER TABLE tenants DROP COLUMN service_request_intake, DROP COLUMN last_service_request_number;`);
    this.addSql('RESET ROLE;');
  }
}

// Customers read tenants already; the UPDATE grant covers the counter column only.
const TENANT_SETTINGS = `
ALTER TABLE tenants ADD COLUMN service_request_intake text NOT NULL DEFAULT 'work_order'
  CHECK (service_request_intake IN ('work_order', 'lead'));
ALTER TABLE tenants ADD COLUMN last_service_request_number integer NOT NULL DEFAULT 0
  CHECK (last_service_request_number >= 0);
CREATE POLICY customer_number ON tenants FOR UPDATE TO portal_customer USING (true) WITH CHECK (true);
GRANT UPDATE (last_service_request_number) ON tenants TO portal_customer;
`;

// The submission key is NULL for requests staff or provisioning created, and
// NULLs never collide. Equipment named by a request must be on its site,
// which the composite key checks whenever equipment_id is set.
const SERVICE_REQUEST_COLUMNS = `
ALTER TABLE service_requests ADD COLUMN submission_key uuid;
ALTER TABLE service_requests ADD COLUMN intake text NOT NULL DEFAULT 'work_order'
  CHECK (intake IN ('work_order', 'lead'));
ALTER TABLE service_requests ADD COLUMN lead_status text
  CHECK (lead_status IN ('new', 'contacted', 'qualified', 'closed'));
ALTER TABLE service_requests ADD COLUMN triaged_at timestamptz;
ALTER TABLE service_requests ADD CONSTRAINT service_requests_submission_key UNIQUE (tenant_id, submission_key);
ALTER TABLE equipment ADD CONSTRAINT equipment_site_key UNIQUE (tenant_id, site_id, id);
ALTER TABLE service_requests ADD CONSTRAINT service_requests_equipment_on_site
  FOREIGN KEY (tenant_id, site_id, equipment_id) REFERENCES equipment (tenant_id, site_id, id);
CREATE INDEX service_requests_inbox ON service_requests (tenant_id, created_at DESC, id DESC);

DROP POLICY customer_submit ON service_requests;
CREATE POLICY customer_submit ON service_requests FOR INSERT TO portal_customer
  WITH CHECK (company_id = ${COMPANY} AND portal_user_id = ${USER}
    AND status = 'submitted' AND shared_at IS NOT NULL AND submission_key IS NOT NULL
    AND intake = (SELECT t.service_request_intake FROM tenants t WHERE t.id = service_requests.tenant_id)
    AND lead_status IS NOT DISTINCT FROM (CASE WHEN intake = 'lead' THEN 'new' END));
GRANT INSERT (submission_key, intake, lead_status) ON service_requests TO portal_customer;
`;

const WORK_ORDER_LINK = `
ALTER TABLE work_orders ADD COLUMN service_request_id uuid;
ALTER TABLE work_orders ADD FOREIGN KEY (tenant_id, company_id, service_request_id)
  REFERENCES service_requests (tenant_id, company_id, id) ON DELETE SET NULL (service_request_id);
CREATE UNIQUE INDEX work_orders_service_request ON work_orders (tenant_id, service_request_id);
`;

// xmin equal to the current transaction id means the request row was
// inserted by this very transaction, so a customer cannot add files to a
// request it submitted earlier, or to someone else's.
const ATTACHMENT_PARENT = `
ALTER TABLE record_attachments ADD COLUMN service_request_id uuid;
ALTER TABLE record_attachments ADD COLUMN content_type text NOT NULL DEFAULT 'application/pdf'
  CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'));
ALTER TABLE record_attachments ADD COLUMN portal_user_id uuid;
ALTER TABLE record_attachments ADD FOREIGN KEY (tenant_id, company_id, service_request_id)
  REFERENCES service_requests (tenant_id, company_id, id) ON DELETE CASCADE;
ALTER TABLE record_attachments ADD FOREIGN KEY (tenant_id, portal_user_id)
  REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id);
ALTER TABLE record_attachments DROP CONSTRAINT record_attachments_check1;
ALTER TABLE record_attachments ADD CONSTRAINT record_attachments_one_parent
  CHECK (num_nonnulls(contract_id, compliance_document_id, service_request_id) = 1);
CREATE UNIQUE INDEX record_attachments_service_request_file
  ON record_attachments (tenant_id, service_request_id, sha256);

DROP POLICY customer_read ON record_attachments;
CREATE POLICY customer_read ON record_attachments FOR SELECT TO portal_customer
  USING (company_id = ${COMPANY} AND (${parentVisible('contracts', 'contract_id')}
    OR ${parentVisible('compliance_documents', 'compliance_document_id')}
    OR ${parentVisible('service_requests', 'service_request_id')}));
CREATE POLICY customer_submit ON record_attachments FOR INSERT TO portal_customer
  WITH CHECK (company_id = ${COMPANY} AND portal_user_id = ${USER} AND uploaded_by IS NULL
    AND contract_id IS NULL AND compliance_document_id IS NULL
    AND EXISTS (SELECT 1 FROM service_requests r
      WHERE r.tenant_id = record_attachments.tenant_id AND r.id = record_attachments.service_request_id
        AND r.portal_user_id = ${USER} AND r.xmin = pg_current_xact_id()::xid));
GRANT SELECT (service_request_id, content_type, portal_user_id) ON record_attachments TO portal_customer;
GRANT INSERT (tenant_id, id, company_id, service_request_id, file_name, byte_size, sha256, storage_key,
  content_type, portal_user_id) ON record_attachments TO portal_customer;
`;

// Lists every kind, including proposal_responded, which another migration
// adds in parallel, so either order of the two leaves the full list.
const EMAIL_KINDS = `
ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check;
ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_kind_check
  CHECK (kind IN ('branding_test', 'invitation', 'password_reset', 'document_shared', 'proposal_responded',
    'service_request_received', 'service_request_submitted'));
CREATE POLICY customer_confirmation ON email_deliveries FOR INSERT TO portal_customer
  WITH CHECK (kind = 'service_request_received' AND requested_by IS NULL AND access_token_id IS NULL
    AND recipient = (SELECT u.email FROM portal_users u WHERE u.id = ${USER}));
CREATE POLICY customer_confirmation_read ON email_deliveries FOR SELECT TO portal_customer
  USING (kind = 'service_request_received' AND recipient = (SELECT u.email FROM portal_users u WHERE u.id = ${USER}));
GRANT INSERT (tenant_id, id, kind, recipient, requested_by, access_token_id, details) ON email_deliveries TO portal_customer;
GRANT SELECT (id) ON email_deliveries TO portal_customer;
`;
