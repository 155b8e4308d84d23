import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../../config/src';
import type { SqlExecutor } from '../../db/src/sql-executor';
import { PING_EVENT, WebhookEventType } from '../../webhooks/src/event-types';
import { WEBHOOK_QUEUE, WebhookJob } from './queues';

/** An event to record: its type and the `data` object receivers get. */
export interface WebhookEventInput {
  type: WebhookEventType;
  /** Ids and a few useful fields; never secrets, tokens or anything about passwords. */
  data: Record<string, unknown>;
}

/** Ids of the event and deliveries that record() wrote, for dispatch() after the commit. */
export interface RecordedWebhookEvent {
  eventId: string;
  deliveryIds: string[];
}

/** Returns the job that sends one round of a delivery, with attempts and backoff from configuration. */
export function webhookJob(
  config: Pick<AppConfig, 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_BACKOFF_MS'>,
  data: WebhookJob,
): { name: string; data: WebhookJob; opts: JobsOptions } {
  return {
    name: 'deliver',
    data,
    opts: {
      jobId: `${data.deliveryId}-r${data.round}`,
      attempts: config.WEBHOOK_MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_MS },
      removeOnComplete: 1000,
      // The delivery row keeps every outcome. Removing a failed job frees its
      // id, so the sweep can queue a delivery again whose job failed on an
      // unexpected error (a database outage, say) and left the row pending.
      removeOnFail: true,
    },
  };
}

const SUBSCRIBED_ENDPOINTS = 'SELECT id FROM webhook_endpoints WHERE enabled AND ? = ANY (event_types)';

// One statement inserts the event and its deliveries. Ids come from here,
// so no RETURNING is needed: portal_customer and portal_auth may insert
// these rows but not read them back.
const INSERT_EVENT_AND_DELIVERIES = `WITH event AS (
    INSERT INTO webhook_events (tenant_id, id, type, payload) VALUES ((SELECT app_current_tenant_id()), ?, ?, ?::jsonb)
  )
  INSERT INTO webhook_deliveries (tenant_id, id, event_id, endpoint_id)
  SELECT (SELECT app_current_tenant_id()), d.id, ?::uuid, d.endpoint_id
  FROM jsonb_to_recordset(?::jsonb) AS d(id uuid, endpoint_id uuid)`;

/** Inserts an event and one delivery per given endpoint in the caller's transaction. */
async function insertEvent(db: SqlExecutor, type: string, data: Record<string, unknown>, endpointIds: string[]): Promise<RecordedWebhookEvent> {
  const eventId = randomUUID();
  const deliveries = endpointIds.map((endpointId) => ({ id: randomUUID(), endpoint_id: endpointId }));
  await db.execute(INSERT_EVENT_AND_DELIVERIES, [eventId, type, JSON.stringify(data), eventId, JSON.stringify(deliveries)]);
  return { eventId, deliveryIds: deliveries.map((delivery) => delivery.id) };
}

/**
 * Records webhook events in the caller's transaction and queues their
 * deliveries once it has committed, as EmailOutbox does for email. An event
 * is stored even when no endpoint subscribes to it. A delivery whose job
 * never reached Redis is queued by the worker's webhook sweep.
 *
 * Producers call it inside their own transaction, then dispatch after it:
 *
 *   const event = await this.db.asCustomer(async (db) => {
 *     await db.execute('UPDATE proposals SET status = ... WHERE id = ?', [id]);
 *     return this.webhooks.record(db, {
 *       type: 'proposal.accepted',
 *       data: { proposal_id: id, company_id: companyId, portal_user_id: userId, number },
 *     });
 *   });
 *   await this.webhooks.dispatch(tenantId, event);
 *
 * portal_customer may record proposal.accepted, proposal.declined,
 * service_request.created and document.viewed; portal_auth only
 * portal_user.activated; staff any type.
 */
@Injectable()
export class WebhookOutbox {
  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Inserts the event and a delivery per enabled endpoint subscribed to its type. */
  async record(db: SqlExecutor, event: WebhookEventInput): Promise<RecordedWebhookEvent> {
    const endpoints = await db.execute<Array<{ id: string }>>(SUBSCRIBED_ENDPOINTS, [event.type]);
    return insertEvent(db, event.type, event.data, endpoints.map((endpoint) => endpoint.id));
  }

  /** Inserts a ping event for one endpoint, whatever it subscribes to; staff only. */
  recordPing(db: SqlExecutor, endpointId: string, data: Record<string, unknown>): Promise<RecordedWebhookEvent> {
    return insertEvent(db, PING_EVENT, data, [endpointId]);
  }

  /** Queues a job per delivery; call after the transaction that recorded them has committed. */
  async dispatch(tenantId: string, recorded: RecordedWebhookEvent): Promise<void> {
    if (recorded.deliveryIds.length === 0) return;
    await this.queue.addBulk(recorded.deliveryIds.map((deliveryId) => webhookJob(this.config, { tenantId, deliveryId, round: 1 })));
  }

  /** Queues one round of one delivery, such as a manual redelivery. */
  async queueRound(job: WebhookJob): Promise<void> {
    const { name, data, opts } = webhookJob(this.config, job);
    await this.queue.add(name, data, opts);
  }
}
