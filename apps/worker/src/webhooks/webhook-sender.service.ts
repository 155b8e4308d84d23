import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import type { WebhookJob } from '../../../../libs/queue/src/queues';
import { decryptSecret } from '../../../../libs/webhooks/src/secret-box';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from '../../../../libs/webhooks/src/signature';
import { WebhookTargetError, WebhookTargetResolver } from '../../../../libs/webhooks/src/webhook-target';
import { AttemptResult, postWebhook } from './webhook-request';
import { WebhookSlots } from './webhook-slots';

interface DeliveryRow {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  round: number;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret_ciphertext: Buffer;
  event_id: string;
  type: string;
  payload: Record<string, unknown>;
  /** ISO 8601 in UTC with milliseconds, formatted by PostgreSQL. */
  created_at: string;
}

/**
 * What a job did: `sent` and `rejected` end the delivery (rejected: the
 * target is no longer allowed, so nothing was sent), `retry` requests
 * another attempt from BullMQ, `in-flight` means another job is sending
 * this delivery right now, and the rest mean the job had nothing to do.
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'rejected' | 'in-flight' | 'already-done' | 'stale' | 'missing';

/** Position of the job among its attempts, to tell a last failure from one that BullMQ retries. */
export interface AttemptInfo {
  finalAttempt: boolean;
  /** Milliseconds until BullMQ runs the next attempt if this one fails. */
  retryDelayMs: number;
}

const LOAD_DELIVERY = `SELECT d.id, d.status, d.round, e.id AS endpoint_id, e.url, e.enabled, e.secret_ciphertext,
    ev.id AS event_id, ev.type, ev.payload,
    to_char(ev.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
  FROM webhook_deliveries d
  JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
  JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
  WHERE d.id = ?`;

// Both writes apply only to the round that was sent and only while it is
// pending, so an outcome never overwrites a later round or a finished delivery.
const RECORD_ATTEMPT = `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, last_attempt_at = now(),
    status = ?, last_status_code = ?, last_response = ?, next_attempt_at = now() + make_interval(secs => ?::double precision / 1000)
  WHERE id = ? AND round = ? AND status = 'pending'`;

const RECORD_REJECTION = `UPDATE webhook_deliveries SET status = 'failed', attempt_count = attempt_count + 1, last_attempt_at = now(),
    last_status_code = NULL, last_response = ?, next_attempt_at = NULL
  WHERE id = ? AND round = ? AND status = 'pending'`;

function isSuccess(result: AttemptResult): boolean {
  return 'statusCode' in result && result.statusCode >= 200 && result.statusCode < 300;
}

/** Returns the text the delivery log keeps for an attempt, at most 1,000 characters. */
function responseText(result: AttemptResult): string {
  if ('error' in result) return result.error.slice(0, 1000);
  if (result.statusCode >= 300 && result.statusCode < 400) return `redirect not followed; ${result.excerpt}`.slice(0, 1000);
  return result.excerpt.slice(0, 1000);
}

/**
 * Sends one webhook delivery. A Redis claim lets one job at a time send a
 * delivery, and the claim outlives the write of the outcome, so a job that
 * runs twice sends a succeeded delivery once. No database transaction is
 * open during the request: the row is read in one short transaction and the
 * outcome written in another. The endpoint's host is resolved and checked
 * again before every attempt, and the connection goes to the checked
 * addresses only.
 */
@Injectable()
export class WebhookSender {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly resolver: WebhookTargetResolver,
    private readonly slots: WebhookSlots,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(WebhookSender.name);
  }

  async deliver(job: WebhookJob, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const claim = await this.slots.claimDelivery(job.deliveryId);
    if (!claim) {
      this.logger.info({ ...job }, 'webhook delivery is being sent by another job');
      return 'in-flight';
    }
    try {
      return await this.sendClaimed(job, attempt);
    } finally {
      await claim.release();
    }
  }

  private async sendClaimed(job: WebhookJob, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const [row] = await this.db.asWorkerFor(job.tenantId, (db) => db.execute<DeliveryRow[]>(LOAD_DELIVERY, [job.deliveryId]));
    if (!row) {
      this.logger.warn({ ...job }, 'webhook delivery not found for this tenant');
      return 'missing';
    }
    if (row.round !== job.round) return 'stale';
    if (row.status !== 'pending') return 'already-done';
    if (!row.enabled) return this.reject(job, 'the endpoint is disabled');

    let target;
    try {
      target = await this.resolver.vet(row.url);
    } catch (error) {
      if (!(error instanceof WebhookTargetError)) throw error;
      return this.reject(job, error.message);
    }
    const secret = this.secretOf(row, job);
    if (secret === null) return this.reject(job, 'the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY; rotate the secret');

    const body = this.bodyOf(row);
    const result = await postWebhook(target, body, this.headersOf(row, secret, body), this.config.WEBHOOK_TIMEOUT_MS);
    return this.recordAttempt(job, result, attempt);
  }

  /** Builds the JSON body from the stored event; jsonb orders keys, so every attempt sends the same bytes. */
  private bodyOf(row: DeliveryRow): string {
    return JSON.stringify({ id: row.event_id, type: row.type, created_at: row.created_at, data: row.payload });
  }

  /** Returns the endpoint's secret, or null when WEBHOOK_SECRET_KEY changed since it was stored. */
  private secretOf(row: DeliveryRow, job: WebhookJob): string | null {
    try {
      return decryptSecret(this.config.WEBHOOK_SECRET_KEY, row.secret_ciphertext, job.tenantId, row.endpoint_id);
    } catch (error) {
      this.logger.error({ err: error, ...job, endpointId: row.endpoint_id }, 'webhook signing secret cannot be decrypted');
      return null;
    }
  }

  private headersOf(row: DeliveryRow, secret: string, body: string): Record<string, string> {
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      'user-agent': 'PortalWebhooks/1.0',
      [EVENT_ID_HEADER]: row.event_id,
      [EVENT_TYPE_HEADER]: row.type,
      [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, body),
    };
  }

  /** Marks the delivery failed without sending anything, for a target that is no longer allowed. */
  private async reject(job: WebhookJob, reason: string): Promise<DeliveryOutcome> {
    await this.db.asWorkerFor(job.tenantId, (db) => db.execute(RECORD_REJECTION, [reason.slice(0, 1000), job.deliveryId, job.round]));
    this.logger.warn({ ...job, reason }, 'webhook delivery rejected before sending');
    return 'rejected';
  }

  private async recordAttempt(job: WebhookJob, result: AttemptResult, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const success = isSuccess(result);
    let status: DeliveryRow['status'] = 'pending';
    if (success) status = 'succeeded';
    else if (attempt.finalAttempt) status = 'failed';
    const statusCode = 'statusCode' in result ? result.statusCode : null;
    const retryDelay = status === 'pending' ? attempt.retryDelayMs : null;
    await this.db.asWorkerFor(job.tenantId, (db) =>
      db.execute(RECORD_ATTEMPT, [status, statusCode, responseText(result), retryDelay, job.deliveryId, job.round]),
    );

    if (success) {
      this.logger.info({ ...job, statusCode }, 'webhook delivered');
      return 'sent';
    }
    this.logger.warn({ ...job, statusCode, error: 'error' in result ? result.error : undefined, status }, 'webhook attempt failed');
    return status === 'failed' ? 'failed' : 'retry';
  }
}
