import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { Cursor, encodeCursor, timestampCursorValue } from '../../../../libs/records/src/paging';
import { RecordedWebhookEvent, WebhookOutbox } from '../../../../libs/queue/src/webhook-outbox';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { decryptSecret, encryptSecret, newSigningSecret } from '../../../../libs/webhooks/src/secret-box';
import { startRedelivery } from '../../../../libs/webhooks/src/redelivery';
import type { WebhookEventType } from '../../../../libs/webhooks/src/event-types';

export const DELIVERY_LOG_SIZE = 50;

export interface EndpointRow {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  created_at: string;
  secret_rotated_at: string;
  secret_ciphertext: Buffer;
}

export interface DeliveryLogRow {
  id: string;
  event_id: string;
  type: string;
  status: string;
  attempt_count: number;
  last_status_code: number | null;
  last_response: string | null;
  last_attempt_at: string | null;
  created_at: string;
}

/** Endpoint settings as staff save them: a vetted URL, a description and the subscribed event types. */
export interface EndpointSettings {
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
}

const ENDPOINT_COLUMNS = 'id, url, description, event_types, enabled, created_at, secret_rotated_at, secret_ciphertext';

/**
 * Reads and changes the signed-in staff user's webhook endpoints. Row-level
 * security keeps every query inside the tenant, so another tenant's id
 * finds nothing and becomes a 404. Each change is logged in its transaction.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: WebhookOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(): Promise<EndpointRow[]> {
    return this.db.asStaff((db) => db.execute<EndpointRow[]>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at DESC`));
  }

  /**
   * Returns the endpoint, its decrypted secret and one page of its
   * deliveries, newest first, older than `after` when given. Throws
   * NotFoundError for an id not in the tenant.
   */
  async detail(
    id: string,
    after: Cursor | null = null,
  ): Promise<{ endpoint: EndpointRow; secret: string | null; deliveries: DeliveryLogRow[]; olderCursor: string | null }> {
    const older = after ? 'AND (d.created_at, d.id) < (?::timestamptz, ?::uuid)' : '';
    const { endpoint, fetched } = await this.db.asStaff(async (db) => ({
      endpoint: await this.find(db, id),
      fetched: await db.execute<DeliveryLogRow[]>(
        `SELECT d.id, d.event_id, ev.type, d.status, d.attempt_count, d.last_status_code, d.last_response, d.last_attempt_at, d.created_at
         FROM webhook_deliveries d JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
         WHERE d.endpoint_id = ? ${older} ORDER BY d.created_at DESC, d.id DESC LIMIT ${DELIVERY_LOG_SIZE + 1}`,
        after ? [id, after.sortValue, after.id] : [id],
      ),
    }));

    const deliveries = fetched.slice(0, DELIVERY_LOG_SIZE);
    const last = deliveries[deliveries.length - 1];
    const olderCursor =
      fetched.length > DELIVERY_LOG_SIZE ? encodeCursor({ sortValue: timestampCursorValue(last.created_at), id: last.id }) : null;
    return { endpoint, secret: this.secretOf(endpoint), deliveries, olderCursor };
  }

  async find(db: SqlExecutor, id: string): Promise<EndpointRow> {
    const [endpoint] = await db.execute<EndpointRow[]>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?`, [id]);
    if (!endpoint) throw new NotFoundError('webhook endpoint');
    return endpoint;
  }

  async create(settings: EndpointSettings, origin: RequestOrigin): Promise<string> {
    const id = randomUUID();
    const staff = this.scope.staff();
    const ciphertext = encryptSecret(this.config.WEBHOOK_SECRET_KEY, newSigningSecret(), staff.tenantId, id);
    await this.db.asStaff(async (db) => {
      await db.execute(
        `INSERT INTO webhook_endpoints (tenant_id, id, url, description, event_types, secret_ciphertext, created_by)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, ?::text[], ?, ?)`,
        [id, settings.url, settings.description, settings.eventTypes, ciphertext, staff.userId],
      );
      await this.log(db, 'webhook.created', id, { url: settings.url, event_types: settings.eventTypes }, origin);
    });
    return id;
  }

  async update(id: string, settings: EndpointSettings, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const rows = await db.execute(
        `UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?::text[], updated_at = now() WHERE id = ? RETURNING id`,
        [settings.url, settings.description, settings.eventTypes, id],
      );
      if (rows.length === 0) throw new NotFoundError('webhook endpoint');
      await this.log(db, 'webhook.updated', id, { url: settings.url, event_types: settings.eventTypes }, origin);
    });
  }

  async setEnabled(id: string, enabled: boolean, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const rows = await db.execute('UPDATE webhook_endpoints SET enabled = ?, updated_at = now() WHERE id = ? RETURNING id', [enabled, id]);
      if (rows.length === 0) throw new NotFoundError('webhook endpoint');
      await this.log(db, enabled ? 'webhook.enabled' : 'webhook.disabled', id, {}, origin);
    });
  }

  /** Deletes the endpoint and its deliveries; the events stay in the append-only log. */
  async remove(id: string, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ url: string }>>('DELETE FROM webhook_endpoints WHERE id = ? RETURNING url', [id]);
      if (rows.length === 0) throw new NotFoundError('webhook endpoint');
      await this.log(db, 'webhook.deleted', id, { url: rows[0].url }, origin);
    });
  }

  /** Replaces the signing secret; deliveries signed from now on use the new one. */
  async rotateSecret(id: string, origin: RequestOrigin): Promise<void> {
    const ciphertext = encryptSecret(this.config.WEBHOOK_SECRET_KEY, newSigningSecret(), this.scope.staff().tenantId, id);
    await this.db.asStaff(async (db) => {
      const rows = await db.execute(
        'UPDATE webhook_endpoints SET secret_ciphertext = ?, secret_rotated_at = now(), updated_at = now() WHERE id = ? RETURNING id',
        [ciphertext, id],
      );
      if (rows.length === 0) throw new NotFoundError('webhook endpoint');
      await this.log(db, 'webhook.secret_rotated', id, {}, origin);
    });
  }

  /** Records a ping event for the endpoint and queues it after the commit. */
  async sendTest(id: string): Promise<void> {
    const staff = this.scope.staff();
    const recorded: RecordedWebhookEvent = await this.db.asStaff(async (db) => {
      await this.find(db, id);
      return this.outbox.recordPing(db, id, { endpoint_id: id, requested_by: staff.userId, message: 'Test event from the staff console' });
    });
    await this.outbox.dispatch(staff.tenantId, recorded);
  }

  /** Sends a delivery again, with the same event id, as a new job. */
  async redeliver(endpointId: string, deliveryId: string, origin: RequestOrigin): Promise<void> {
    const round = await this.db.asStaff(async (db) => {
      const started = await startRedelivery(db, endpointId, deliveryId);
      if (started === null) throw new NotFoundError('webhook delivery');
      await this.log(db, 'webhook.redelivered', endpointId, { delivery_id: deliveryId, round: started }, origin);
      return started;
    });
    await this.outbox.queueRound({ tenantId: this.scope.staff().tenantId, deliveryId, round });
  }

  /** Returns the secret, or null when WEBHOOK_SECRET_KEY changed since it was stored and only a rotation helps. */
  private secretOf(endpoint: EndpointRow): string | null {
    try {
      return decryptSecret(this.config.WEBHOOK_SECRET_KEY, endpoint.secret_ciphertext, this.scope.staff().tenantId, endpoint.id);
    } catch {
      return null;
    }
  }

  private log(db: SqlExecutor, action: string, endpointId: string, details: Record<string, unknown>, origin: RequestOrigin): Promise<void> {
    const entry = { action, actorType: 'staff' as const, actorId: this.scope.staff().userId, subjectType: 'webhook_endpoint', subjectId: endpointId, details };
    return recordActivity(db, entry, origin);
  }
}
