import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';
const COMPANY = '(SELECT app_current_company_id())';

/** Runs under the customer's own policies on the parent, so an unshared parent hides the attachment. */
function parentVisible(parent: string, column: string): string {
  return `(${column} IS NOT NULL AND EXISTS (SELECT 1 FROM ${parent} parent
      WHERE parent.tenant_id = record_attachments.tenant_id AND parent.id = record_attachments.${column}))`;
}

/**
 * PDFs that staff attach to a contract or a compliance document, such as a
 * signed contract or an authority's certificate. The bytes live in document
 * storage under the tenant's prefix, and a row names them by key. Customers
 * read a row only while they can read its parent record.
 */
export class Migration20261204000500_record_attachments extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');

    // Exactly one parent is set. Its foreign key includes company_id, so an
    // attachment cannot name a record of another company. A row never
    // changes, so no role is granted UPDATE.
    this.addSql(`
      CREATE TABLE record_attachments (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        company_id uuid NOT NULL,
        contract_id uuid,
        compliance_document_id uuid,
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
        byte_size integer NOT NULL CHECK (byte_size > 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        storage_key text NOT NULL CHECK (starts_with(storage_key, 'tenants/' || tenant_id::text || '/')),
        uploaded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        CHECK (num_nonnulls(contract_id, compliance_document_id) = 1),
        FOREIGN KEY (tenant_id, company_id, contract_id)
          REFERENCES contracts (tenant_id, company_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, company_id, compliance_document_id)
          REFERENCES compliance_documents (tenant_id, company_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, uploaded_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (uploaded_by)
      );
      -- One row per file and record: the same bytes attached twice add nothing.
      CREATE UNIQUE INDEX record_attachments_contract_file ON record_attachments (tenant_id, contract_id, sha256);
      CREATE UNIQUE INDEX record_attachments_compliance_document_file
        ON record_attachments (tenant_id, compliance_document_id, sha256);`);

    // Customers get every column except uploaded_by, which names a staff user.
    this.addSql(`
      ALTER TABLE record_attachments ENABLE ROW LEVEL SECURITY;
      ALTER TABLE record_attachments FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_scope ON record_attachments AS RESTRICTIVE FOR ALL TO PUBLIC
        USING (tenant_id = ${TENANT}) WITH CHECK (tenant_id = ${TENANT});
      CREATE POLICY staff_access ON record_attachments FOR ALL TO portal_staff, portal_provisioner
        USING (true) WITH CHECK (true);
      GRANT SELECT, INSERT, DELETE ON record_attachments TO portal_staff, portal_provisioner;
      CREATE POLICY customer_read ON record_attachments FOR SELECT TO portal_customer
        USING (company_id = ${COMPANY} AND (${parentVisible('contracts', 'contract_id')}
          OR ${parentVisible('compliance_documents', 'compliance_document_id')}));
      GRANT SELECT (tenant_id, id, company_id, contract_id, compliance_document_id, file_name, byte_size, sha256,
        storage_key, created_at) ON record_attachments TO portal_customer;`);

    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP TABLE IF EXISTS record_attachments;');
    this.addSql('RESET ROLE;');
  }
}
