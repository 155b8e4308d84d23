import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';

/** Event types a tenant can subscribe to; `ping` is the console's test event and is sent to one endpoint only. */
const EVENT_TYPES = ['proposal.accepted', 'proposal.declined', 'service_request.created', 'portal_user.activated', 'document.viewed'];
const CUSTOMER_EVENT_TYPES = ['proposal.accepted', 'proposal.declined', 'service_request.created', 'document.viewed'];

function textArray(values: string[]): string {
  return `ARRAY[${values.map((value) => `'${value}'`).join(', ')}]::text[]`;
}

function tenantPinned(table: string): string {
  return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON ${table} AS RESTRICTIVE FOR ALL TO PUBLIC
  USING (tenant_id = ${TENANT}) WITH CHECK (tenant_id = ${TENANT});`;
}

/**
 * Outgoing webhooks: endpoints that staff configure, an append-only log of
 * events, and one delivery per event and endpoint. Staff manage all three.
 * Portal users and sign-in checks cause events, so portal_customer and
 * portal_auth may insert events of their own types and the deliveries for
 * them, and may read which enabled endpoints subscribe to what, but never
 * an endpoint's URL or secret.
 */
export class Migration20261204000900_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');

    // The signing secret is stored encrypted (AES-256-GCM) with a key from
    // configuration, because the worker must read it to sign.
    this.addSql(`
      CREATE TABLE webhook_endpoints (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        url text NOT NULL CHECK (length(url) <= 2000 AND url ~ '^https?://'),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
        event_types text[] NOT NULL CHECK (event_types <@ ${textArray(EVENT_TYPES)}),
        enabled boolean NOT NULL DEFAULT true,
        secret_ciphertext bytea NOT NULL,
        secret_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (created_by)
      );
      CREATE INDEX webhook_endpoints_recent ON webhook_endpoints (tenant_id, created_at DESC);
      ${tenantPinned('webhook_endpoints')}
      CREATE POLICY staff_access ON webhook_endpoints FOR ALL TO portal_staff, portal_provisioner USING (true) WITH CHECK (true);
      GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO portal_staff, portal_provisioner;
      CREATE POLICY subscriber_lookup ON webhook_endpoints FOR SELECT TO portal_customer, portal_auth USING (enabled);
      GRANT SELECT (tenant_id, id, event_types, enabled) ON webhook_endpoints TO portal_customer, portal_auth;`);

    // Append-only like activity_events: no role holds UPDATE or DELETE, and
    // a trigger rejects updates from anyone. Deleting a tenant still cascades.
    this.addSql(`
      CREATE TABLE webhook_events (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL,
        type text NOT NULL CHECK (type = ANY (${textArray([...EVENT_TYPES, 'ping'])})),
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      );
      CREATE FUNCTION webhook_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'webhook events cannot be changed'; END $$;
      CREATE TRIGGER webhook_events_append_only BEFORE UPDATE ON webhook_events
        FOR EACH ROW EXECUTE FUNCTION webhook_events_append_only();
      ${tenantPinned('webhook_events')}
      CREATE POLICY staff_access ON webhook_events FOR SELECT TO portal_staff, portal_provisioner USING (true);
      CREATE POLICY staff_write ON webhook_events FOR INSERT TO portal_staff, portal_provisioner WITH CHECK (true);
      CREATE POLICY customer_write ON webhook_events FOR INSERT TO portal_customer
        WITH CHECK (type = ANY (${textArray(CUSTOMER_EVENT_TYPES)}));
      CREATE POLICY auth_write ON webhook_events FOR INSERT TO portal_auth WITH CHECK (type = 'portal_user.activated');
      GRANT SELECT, INSERT ON webhook_events TO portal_staff, portal_provisioner;
      GRANT INSERT ON webhook_events TO portal_customer, portal_auth;`);

    // A redelivery raises round, and the job id carries it, so BullMQ takes
    // the new job while a job of an earlier round finds itself stale.
    this.addSql(`
      CREATE TABLE webhook_deliveries (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        round integer NOT NULL DEFAULT 1 CHECK (round > 0),
        attempt_count integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
        last_attempt_at timestamptz,
        last_status_code integer CHECK (last_status_code BETWEEN 100 AND 999),
        last_response text CHECK (length(last_response) <= 1000),
        next_attempt_at timestamptz DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, event_id, endpoint_id),
        FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
      );
      CREATE INDEX webhook_deliveries_endpoint_recent ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC, id DESC);
      CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (tenant_id, next_attempt_at) WHERE status = 'pending';
      ${tenantPinned('webhook_deliveries')}
      CREATE POLICY staff_access ON webhook_deliveries FOR ALL TO portal_staff, portal_provisioner USING (true) WITH CHECK (true);
      GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO portal_staff, portal_provisioner;
      CREATE POLICY producer_write ON webhook_deliveries FOR INSERT TO portal_customer, portal_auth
        WITH CHECK (status = 'pending' AND round = 1 AND attempt_count = 0);
      GRANT INSERT (tenant_id, id, event_id, endpoint_id) ON webhook_deliveries TO portal_customer, portal_auth;`);

    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP TABLE IF EXISTS webhook_deliveries, webhook_events, webhook_endpoints;');
    this.addSql('DROP FUNCTION IF EXISTS webhook_events_append_only();');
    this.addSql('RESET ROLE;');
  }
}
