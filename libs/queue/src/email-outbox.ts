import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import type { SqlExecutor } from '../../db/src/sql-executor';
import { EMAIL_QUEUE, EmailJob } from './queues';

export type EmailKind =
  | 'branding_test'
  | 'invitation'
  | 'password_reset'
  | 'document_shared'
  | 'proposal_responded'
  | 'service_request_received'
  | 'service_request_submitted';

/** One email to record; the worker loads everything else when it sends. */
export interface OutgoingEmail {
  kind: EmailKind;
  recipient: string;
  requestedBy?: string | null;
  accessTokenId?: string | null;
  details?: Record<string, unknown>;
}

/** Inserts delivery rows for the transaction's tenant and returns their ids, in order. */
export async function recordEmails(db: SqlExecutor, emails: OutgoingEmail[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows: Array<{ id: string }> = await db.execute(
    `INSERT INTO email_deliveries (tenant_id, kind, recipient, requested_by, access_token_id, details)
     SELECT (SELECT app_current_tenant_id()), e.kind, e.recipient, e.requested_by, e.access_token_id, e.details
     FROM ROWS FROM (jsonb_to_recordset(?::jsonb)
       AS (kind text, recipient text, requested_by uuid, access_token_id uuid, details jsonb))
       WITH ORDINALITY AS e(kind, recipient, requested_by, access_token_id, details, position)
     ORDER BY e.position
     RETURNING id`,
    [
      JSON.stringify(
        emails.map((email) => ({
          kind: email.kind,
          recipient: email.recipient.toLowerCase(),
          requested_by: email.requestedBy ?? null,
          access_token_id: email.accessTokenId ?? null,
          details: email.details ?? {},
        })),
      ),
    ],
  );
  return rows.map((row) => row.id);
}

/**
 * Records emails in the caller's transaction, then hands them to the worker
 * once that transaction has committed. The delivery id is the job id, so
 * adding the same delivery twice makes one job; a delivery whose job was
 * never added is picked up by the worker's sweep of old queued rows.
 */
@Injectable()
export class EmailOutbox {
  constructor(@InjectQueue(EMAIL_QUEUE) private readonly queue: Queue<EmailJob>) {}

  /** Inserts delivery rows for the transaction's tenant and returns their ids, in order. */
  record(db: SqlExecutor, emails: OutgoingEmail[]): Promise<string[]> {
    return recordEmails(db, emails);
  }

  /** Queues a job per delivery; call after the transaction that recorded them has committed. */
  async dispatch(tenantId: string, deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({ name: 'send', data: { tenantId, deliveryId }, opts: { jobId: deliveryId } })),
    );
  }
}
