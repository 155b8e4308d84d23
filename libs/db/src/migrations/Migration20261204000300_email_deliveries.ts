import { Migration } from '@mikro-orm/migrations';

/**
 * Records every email the worker is asked to send. The worker checks the row
 * before sending and marks it sent after, so a job delivered twice sends
 * once. Only staff (and the worker acting for a tenant as staff) see rows.
 */
export class Migration20261204000300_email_deliveries extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(`
      CREATE TABLE email_deliveries (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('branding_test')),
        recipient text NOT NULL CHECK (recipient = lower(recipient) AND length(recipient) <= 254),
        requested_by uuid,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        message_id text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, requested_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (requested_by)
      );`);
    this.addSql('CREATE INDEX email_deliveries_recent ON email_deliveries (tenant_id, created_at DESC);');
    this.addSql(`
      ALTER TABLE email_deliveries ENABLE ROW LEVEL SECURITY;
      ALTER TABLE email_deliveries FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_scope ON email_deliveries AS RESTRICTIVE FOR ALL TO PUBLIC
        USING (tenant_id = (SELECT app_current_tenant_id())) WITH CHECK (tenant_id = (SELECT app_current_tenant_id()));
      CREATE POLICY staff_access ON email_deliveries FOR ALL TO portal_staff, portal_provisioner USING (true) WITH CHECK (true);
      GRANT SELECT, INSERT, UPDATE ON email_deliveries TO portal_staff, portal_provisioner;`);
    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP TABLE IF EXISTS email_deliveries;');
    this.addSql('RESET ROLE;');
  }
}
