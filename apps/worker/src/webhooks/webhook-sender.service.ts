import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import type { WebhookJob } from '../../../../libs/queue/src/queues';
import { decryptSecret } from '../../../../libs/webhooks/src/secret-box';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from '../../../../libs/webhooks/src/signature';
import { WebhookTargetError, WebhookTargetResolver } from '../../../../libs/webhooks/src/webhook-target';
import { AttemptResult, postWebhook } from './webhook-request';

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
 * another attempt from BullMQ, and the rest mean the job had nothing to do.
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'rejected' | 'already-done' | 'stale' | 'missing';

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
  WHERE d.id = ? FOR UPDATE OF d`;

const RECORD_ATTEMPT = `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, last_attempt_at = now(),
    status = ?, last_status_code = ?, last_response = ?, next_attempt_at = now() + make_interval(secs => ?::double precision / 1000)
  WHERE id = ?`;

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
 * Sends one webhook delivery. The row is locked while the request runs and
 * the attempt is written in the same transaction, so a job that runs twice
 * sends a succeeded delivery once. The endpoint's host is resolved and
 * checked again before every attempt, and the connection goes to the
 * checked addresses only.
 */
@Injectable()
export class WebhookSender {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly resolver: WebhookTargetResolver,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(WebhookSender.name);
  }

  deliver(job: WebhookJob, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    return this.db.asWorkerFor(job.tenantId, async (db) => {
      const [row] = await db.execute<DeliveryRow[]>(LOAD_DELIVERY, [job.deliveryId]);
      if (!row) {
        this.logger.warn({ ...job }, 'webhook delivery not found for this tenant');
        return 'missing';
      }
      if (row.round !== job.round) return 'stale';
      if (row.status !== 'pending') return 'already-done';
      if (!row.enabled) return this.reject(db, job, 'the endpoint is disabled');

      let target;
      try {
        target = await this.resolver.vet(row.url);
      } catch (error) {
        if (!(error instanceof WebhookTargetError)) throw error;
        return this.reject(db, job, error.message);
      }
      const secret = this.secretOf(row, job);
      if (secret === null) return this.reject(db, job, 'the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY; rotate the secret');

      const body = this.bodyOf(row);
      const result = await postWebhook(target, body, this.headersOf(row, secret, body), this.config.WEBHOOK_TIMEOUT_MS);
      return this.recordAttempt(db, job, result, attempt);
    });
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
  private async reject(db: SqlExecutor, job: WebhookJob, reason: string): Promise<DeliveryOutcome> {
    await db.execute(
      `UPDATE webhook_deliveries SET status = 'failed', attempt_count = attempt_count + 1, last_attempt_at = now(),
         last_status_code = NULL, last_response = ?, next_attempt_at = NULL WHERE id = ?`,
      [reason.slice(0, 1000), job.deliveryId],
    );
    this.logger.warn({ ...job, reason }, 'webhook delivery rejected before sending');
    return 'rejected';
  }

  private async recordAttempt(db: SqlExecutor, job: WebhookJob, result: AttemptResult, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const success = isSuccess(result);
    let status: DeliveryRow['status'] = 'pending';
    if (success) status = 'succeeded';
    else if (attempt.finalAttempt) status = 'failed';
    const statusCode = 'statusCode' in result ? result.statusCode : null;
    await db.execute(RECORD_ATTEMPT, [status, statusCode, responseText(result), status === 'pending' ? attempt.retryDelayMs : null, job.deliveryId]);

    if (success) {
      this.logger.info({ ...job, statusCode }, 'webhook delivered');
      return 'sent';
    }
    this.logger.warn({ ...job, statusCode, error: 'error' in result ? result.error : undefined, status }, 'webhook attempt failed');
    return status === 'failed' ? 'failed' : 'retry';
  }
}
