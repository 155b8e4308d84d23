import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';

function tenantPinned(table: string): string {
  return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON ${table} AS RESTRICTIVE FOR ALL TO PUBLIC
  USING (tenant_id = ${TENANT}) WITH CHECK (tenant_id = ${TENANT});`;
}

/**
 * What the console needs to run access to a portal: single-use links for
 * invitations and password resets, a session version that ends every
 * session of a user at once, an append-only activity log, and bulk imports
 * of portal users.
 */
export class Migration20261204000400_console_access extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');

    // A session carries the version it was opened under; bumping the column
    // ends every session of that user on its next request.
    this.addSql(`
      ALTER TABLE portal_users ADD COLUMN session_version integer NOT NULL DEFAULT 1;
      ALTER TABLE staff_users ADD COLUMN session_version integer NOT NULL DEFAULT 1;
      GRANT SELECT (session_version, last_login_at, invited_at, activated_at) ON portal_users TO portal_auth;
      GRANT SELECT (session_version) ON portal_users TO portal_customer;
      GRANT UPDATE (password_hash, status, activated_at, session_version, updated_at) ON portal_users TO portal_auth;
      GRANT SELECT (session_version) ON staff_users TO portal_auth;
      GRANT UPDATE (password_hash, status, session_version, updated_at) ON staff_users TO portal_auth;`);

    // The hash is written by the worker when it composes the email, so the
    // token itself exists only in that email; a row with no hash yet opens nothing.
    this.addSql(`
      CREATE TABLE access_tokens (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
        portal_user_id uuid,
        staff_user_id uuid,
        token_hash bytea CHECK (length(token_hash) = 32),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        voided_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, token_hash),
        CHECK ((portal_user_id IS NULL) <> (staff_user_id IS NULL)),
        FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, staff_user_id) REFERENCES staff_users (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (created_by)
      );
      CREATE INDEX access_tokens_portal_user ON access_tokens (tenant_id, portal_user_id) WHERE used_at IS NULL AND voided_at IS NULL;
      CREATE INDEX access_tokens_staff_user ON access_tokens (tenant_id, staff_user_id) WHERE used_at IS NULL AND voided_at IS NULL;
      ${tenantPinned('access_tokens')}
      CREATE POLICY staff_access ON access_tokens FOR ALL TO portal_staff, portal_provisioner, portal_auth USING (true) WITH CHECK (true);
      GRANT SELECT, INSERT, UPDATE ON access_tokens TO portal_staff, portal_provisioner, portal_auth;`);

    this.addSql(`
      ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check;
      ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_kind_check
        CHECK (kind IN ('branding_test', 'invitation', 'password_reset', 'document_shared'));
      ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_status_check;
      ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_status_check
        CHECK (status IN ('queued', 'sent', 'failed', 'cancelled'));
      ALTER TABLE email_deliveries ADD COLUMN access_token_id uuid;
      ALTER TABLE email_deliveries ADD COLUMN details jsonb NOT NULL DEFAULT '{}';
      ALTER TABLE email_deliveries ADD FOREIGN KEY (tenant_id, access_token_id)
        REFERENCES access_tokens (tenant_id, id) ON DELETE CASCADE;
      CREATE INDEX email_deliveries_access_token ON email_deliveries (tenant_id, access_token_id);
      CREATE INDEX email_deliveries_shared_record ON email_deliveries (tenant_id, (details->>'recordId'))
        WHERE kind = 'document_shared';
      CREATE POLICY auth_request ON email_deliveries FOR INSERT TO portal_auth
        WITH CHECK (kind = 'password_reset' AND requested_by IS NULL);
      CREATE POLICY auth_read ON email_deliveries FOR SELECT TO portal_auth
        USING (kind = 'password_reset' AND requested_by IS NULL);
      GRANT INSERT (tenant_id, id, kind, recipient, requested_by, access_token_id, details) ON email_deliveries TO portal_auth;
      GRANT SELECT (id) ON email_deliveries TO portal_auth;`);

    // Append-only: no role but the owner holds UPDATE or DELETE, and a
    // trigger refuses updates from anyone.
    this.addSql(`
      CREATE TABLE activity_events (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        action text NOT NULL CHECK (action ~ '^[a-z]+(\\.[a-z_]+)+$'),
        actor_type text NOT NULL CHECK (actor_type IN ('staff', 'portal_user', 'visitor', 'system')),
        actor_id uuid,
        actor_email text CHECK (length(actor_email) <= 254),
        company_id uuid,
        subject_type text,
        subject_id uuid,
        ip inet,
        user_agent text CHECK (length(user_agent) <= 512),
        request_id text,
        details jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX activity_events_recent ON activity_events (tenant_id, occurred_at DESC, id DESC);
      CREATE INDEX activity_events_actor ON activity_events (tenant_id, actor_id, occurred_at DESC);
      CREATE FUNCTION activity_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'activity events cannot be changed'; END $$;
      CREATE TRIGGER activity_events_append_only BEFORE UPDATE ON activity_events
        FOR EACH ROW EXECUTE FUNCTION activity_events_append_only();
      ${tenantPinned('activity_events')}
      CREATE POLICY staff_read ON activity_events FOR SELECT TO portal_staff, portal_provisioner USING (true);
      CREATE POLICY staff_write ON activity_events FOR INSERT TO portal_staff, portal_provisioner, portal_auth WITH CHECK (true);
      CREATE POLICY customer_write ON activity_events FOR INSERT TO portal_customer
        WITH CHECK (actor_type = 'portal_user' AND actor_id = (SELECT app_current_user_id())
          AND company_id = (SELECT app_current_company_id()));
      GRANT SELECT, INSERT ON activity_events TO portal_staff, portal_provisioner;
      GRANT INSERT ON activity_events TO portal_auth, portal_customer;`);

    this.addSql(`
      CREATE TABLE user_imports (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        file_name text NOT NULL CHECK (length(file_name) <= 255),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        total_rows integer NOT NULL CHECK (total_rows >= 0),
        processed_rows integer NOT NULL DEFAULT 0 CHECK (processed_rows >= 0),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (created_by)
      );
      CREATE INDEX user_imports_recent ON user_imports (tenant_id, created_at DESC);
      CREATE TABLE user_import_rows (
        tenant_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line_number integer NOT NULL CHECK (line_number > 0),
        email text NOT NULL,
        company_ref text NOT NULL,
        name text,
        outcome text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'invited', 'skipped', 'failed')),
        message text,
        portal_user_id uuid,
        PRIMARY KEY (tenant_id, import_id, line_number),
        FOREIGN KEY (tenant_id, import_id) REFERENCES user_imports (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id)
      );`);
    for (const table of ['user_imports', 'user_import_rows']) {
      this.addSql(`${tenantPinned(table)}
        CREATE POLICY staff_access ON ${table} FOR ALL TO portal_staff, portal_provisioner USING (true) WITH CHECK (true);
        GRANT SELECT, INSERT, UPDATE ON ${table} TO portal_staff, portal_provisioner;`);
    }

    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP TABLE IF EXISTS user_import_rows, user_imports, activity_events;');
    this.addSql('DROP FUNCTION IF EXISTS activity_events_append_only();');
    this.addSql(`DELETE FROM email_deliveries WHERE kind <> 'branding_test';`);
    this.addSql('DROP POLICY IF EXISTS auth_request ON email_deliveries;');
    this.addSql('DROP POLICY IF EXISTS auth_read ON email_deliveries;');
    this.addSql('REVOKE ALL ON email_deliveries FROM portal_auth;');
    this.addSql('ALTER TABLE email_deliveries DROP COLUMN access_token_id, DROP COLUMN details;');
    this.addSql(`ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check,
      ADD CONSTRAINT email_deliveries_kind_check CHECK (kind IN ('branding_test'));`);
    this.addSql(`UPDATE email_deliveries SET status = 'failed' WHERE status = 'cancelled';`);
    this.addSql(`ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_status_check,
      ADD CONSTRAINT email_deliveries_status_check CHECK (status IN ('queued', 'sent', 'failed'));`);
    this.addSql('DROP TABLE IF EXISTS access_tokens;');
    this.addSql('ALTER TABLE portal_users DROP COLUMN session_version;');
    this.addSql('ALTER TABLE staff_users DROP COLUMN session_version;');
    this.addSql('RESET ROLE;');
  }
}
