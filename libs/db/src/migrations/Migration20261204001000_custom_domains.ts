import { Migration } from '@mikro-orm/migrations';

/**
 * Custom domains that staff add in the console. A domain is verified by a
 * TXT record that carries its verification token, and each check stores its
 * time and, when it failed, the reason. Domains from provisioning manifests
 * have no token and keep the verified_at the manifest gives them.
 */
export class Migration20261204001000_custom_domains extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(`
      ALTER TABLE tenant_domains
        ADD COLUMN verification_token text CHECK (verification_token ~ '^[A-Za-z0-9_-]{16,128}$'),
        ADD COLUMN last_checked_at timestamptz,
        ADD COLUMN last_check_error text CHECK (length(last_check_error) <= 500),
        ADD COLUMN added_by uuid,
        ADD FOREIGN KEY (tenant_id, added_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (added_by);`);
    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(`
      ALTER TABLE tenant_domains
        DROP COLUMN added_by,
        DROP COLUMN last_check_error,
        DROP COLUMN last_checked_at,
        DROP COLUMN verification_token;`);
    this.addSql('RESET ROLE;');
  }
}
