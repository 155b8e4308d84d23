import { Migration } from '@mikro-orm/migrations';

/**
 * Creates the database roles. Roles are cluster-wide, so every statement
 * tolerates roles that another database of the same cluster already created.
 *
 * - portal_owner owns every object and has no permissive policy, so even the
 *   owner reads nothing through FORCE ROW LEVEL SECURITY.
 * - portal_app is the only login role. It has no privileges of its own
 *   (NOINHERIT) and switches per transaction to one of the roles below.
 * - portal_staff, portal_customer: the two request roles.
 * - portal_auth: credential checks before a user is known.
 * - portal_resolver: maps a hostname to a tenant before a tenant is known.
 * - portal_provisioner: creates tenants; granted to the migrating user only,
 *   never to portal_app.
 */
export class Migration20261204000000_roles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      DO $$
      DECLARE
        role_name text;
      BEGIN
        FOREACH role_name IN ARRAY ARRAY['portal_owner', 'portal_provisioner', 'portal_staff', 'portal_customer', 'portal_auth', 'portal_resolver']
        LOOP
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', role_name);
          END IF;
        END LOOP;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN
          CREATE ROLE portal_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END
      $$;
    `);
    this.addSql(
      'GRANT portal_staff, portal_customer, portal_auth, portal_resolver TO portal_app;',
    );
    // The migrating user must be able to SET ROLE portal_owner so that the
    // tables it creates are owned by portal_owner and not by itself, and
    // portal_provisioner so that the provisioning command can create tenants.
    this.addSql('GRANT portal_owner, portal_provisioner TO CURRENT_USER;');
  }

  override async down(): Promise<void> {
    // Roles are shared by every database on the cluster, so they are left in place.
  }
}
