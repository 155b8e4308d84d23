import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { RequestOrigin, recordPortalUserActivity } from '../../../../libs/activity/src/activity-log';
import { sha256Hex } from '../../../../libs/attachments/src/attachment-file';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EmailOutbox } from '../../../../libs/queue/src/email-outbox';
import type { ValidRequestFields } from '../../../../libs/service-requests/src/request-form';
import {
  RecordedRequestNotices,
  ServiceRequestCreated,
  ServiceRequestEvents,
} from '../../../../libs/service-requests/src/service-request-events';
import { CheckedRequestFile, EXTENSIONS } from '../../../../libs/service-requests/src/upload-files';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { uploadKey } from '../../../../libs/storage/src/storage-keys';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { SubmissionRateLimit } from './submission-rate-limit';

export const SERVICE_REQUEST_SUBMITTED = 'service.request_submitted';

/** The request a submission created, or the one an earlier submit of the same form created. */
export interface SubmissionResult {
  outcome: 'created' | 'duplicate';
  id: string;
  number: string;
}

/** A stored file and the key it was stored under. */
interface StoredFile extends CheckedRequestFile {
  sha256: string;
  storageKey: string;
}

/** Raised inside the transaction when another submit of the same form committed first. */
class DuplicateSubmission extends Error {}

/**
 * Creates service requests from the portal form. The uploaded files are
 * written to document storage first. The request, its attachment rows, the
 * activity entry and the confirmation email then commit in one transaction
 * as the customer. When that transaction fails, the files are deleted again.
 * A second submit of the same form finds the first request.
 */
@Injectable()
export class ServiceRequestSubmissions {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: EmailOutbox,
    private readonly events: ServiceRequestEvents,
    private readonly rateLimit: SubmissionRateLimit,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestSubmissions.name);
  }

  /** Throws TooManyServiceRequestsError when the signed-in user has no submission left this hour. */
  assertRoomFor(tenantId: string, userId: string, supportPhone: string | null): Promise<void> {
    return this.rateLimit.assertRoomFor(tenantId, userId, supportPhone);
  }

  /** Returns the request an earlier submit of this form created, or null. */
  async findSubmitted(submissionKey: string): Promise<SubmissionResult | null> {
    const [row] = await this.db.asCustomer((db) =>
      db.execute<Array<{ id: string; number: string }>>('SELECT id, number FROM service_requests WHERE submission_key = ?', [
        submissionKey,
      ]),
    );
    return row ? { outcome: 'duplicate', id: row.id, number: row.number } : null;
  }

  /**
   * Creates the request. Throws TooManyServiceRequestsError over the hourly
   * limit. The site and equipment must have been checked with `checkPlace`.
   */
  async submit(fields: ValidRequestFields, files: CheckedRequestFile[], origin: RequestOrigin): Promise<SubmissionResult> {
    const earlier = (await this.findSubmitted(fields.submissionKey)) ?? (await this.findRecentCopy(fields));
    if (earlier) return earlier;

    const principal = this.scope.principal();
    await this.rateLimit.admit(principal.tenantId, principal.userId, this.scope.tenant().branding.supportPhone);

    // A fresh id per attempt, so the keys of a losing duplicate never equal the winner's.
    const requestId = randomUUID();
    const stored = this.storedFiles(requestId, files);
    let created: { result: { event: ServiceRequestCreated; deliveryIds: string[] }; followUp: RecordedRequestNotices };
    try {
      await this.putAll(stored);
      created = await this.db.asCustomerThenStaff(
        (db) => this.insertRequest(db, requestId, fields, stored, origin),
        (db, inserted) => this.events.record(db, inserted.event),
      );
    } catch (error) {
      // NOTE: a connection lost during COMMIT leaves the outcome unknown; if
      // the commit did succeed, the request's files are then missing.
      await this.deleteAll(stored);
      await this.rateLimit.release(principal.tenantId, principal.userId);
      if (error instanceof DuplicateSubmission) {
        const first = await this.findSubmitted(fields.submissionKey);
        if (first) return first;
      }
      throw error;
    }

    await this.afterCommit(created.result.event, created.result.deliveryIds, created.followUp);
    return { outcome: 'created', id: requestId, number: created.result.event.number };
  }

  /**
   * Returns a request the same user filed in the last ten minutes with the
   * same site, equipment, category and description, or null. The Back
   * button brings the form back with a fresh submission key but the typed
   * values, so sending it again would otherwise file the request twice.
   */
  private async findRecentCopy(fields: ValidRequestFields): Promise<SubmissionResult | null> {
    const [row] = await this.db.asCustomer((db) =>
      db.execute<Array<{ id: string; number: string }>>(
        `SELECT id, number FROM service_requests
         WHERE portal_user_id = (SELECT app_current_user_id()) AND site_id = ? AND equipment_id IS NOT DISTINCT FROM ?::uuid
           AND category = ? AND description = ? AND created_at > now() - interval '10 minutes'
         ORDER BY created_at DESC LIMIT 1`,
        [fields.siteId, fields.equipmentId, fields.categoryLabel, fields.description],
      ),
    );
    return row ? { outcome: 'duplicate', id: row.id, number: row.number } : null;
  }

  private storedFiles(requestId: string, files: CheckedRequestFile[]): StoredFile[] {
    const tenantId = this.scope.tenant().id;
    const seen = new Set<string>();
    const stored: StoredFile[] = [];
    for (const file of files) {
      const sha256 = sha256Hex(file.bytes);
      // The same file chosen twice is kept once.
      if (seen.has(sha256)) continue;
      seen.add(sha256);
      const extension = EXTENSIONS[file.contentType];
      const storageKey = uploadKey({ tenantId, kind: 'service-requests', recordId: requestId, sha256, extension });
      stored.push({ ...file, sha256, storageKey });
    }
    return stored;
  }

  private async putAll(files: StoredFile[]): Promise<void> {
    const tenantId = this.scope.tenant().id;
    for (const file of files) await this.storage.put(tenantId, file.storageKey, file.bytes, file.contentType);
  }

  private async deleteAll(files: StoredFile[]): Promise<void> {
    const tenantId = this.scope.tenant().id;
    for (const file of files) {
      try {
        await this.storage.delete(tenantId, file.storageKey);
      } catch (error) {
        // NOTE: the object stays in storage with no row; nothing links to it.
        this.logger.error({ err: error, tenantId, storageKey: file.storageKey }, 'uploaded file of a failed request not deleted');
      }
    }
  }

  private async insertRequest(
    db: SqlExecutor,
    requestId: string,
    fields: ValidRequestFields,
    files: StoredFile[],
    origin: RequestOrigin,
  ): Promise<{ event: ServiceRequestCreated; deliveryIds: string[] }> {
    // The counter row stays locked until commit, so concurrent submits of a
    // tenant take consecutive numbers and a rolled-back one returns its number.
    const [counter] = await db.execute<Array<{ last_service_request_number: number }>>(
      `UPDATE tenants SET last_service_request_number = last_service_request_number + 1
       WHERE id = (SELECT app_current_tenant_id()) RETURNING last_service_request_number`,
    );
    // NOTE: a request that staff or a manifest numbered in this same format,
    // such as SR-000042, makes the insert fail on the tenant's unique number.
    const number = `SR-${String(counter.last_service_request_number).padStart(6, '0')}`;

    const inserted = await db.execute<Array<{ id: string }>>(
      `INSERT INTO service_requests (tenant_id, company_id, id, site_id, equipment_id, portal_user_id, number, category,
         urgency, description, preferred_dates, shared_at, submission_key, intake, lead_status)
       SELECT t.id, (SELECT app_current_company_id()), ?, ?, ?, (SELECT app_current_user_id()), ?, ?, ?, ?, ?, now(), ?,
         t.service_request_intake, CASE WHEN t.service_request_intake = 'lead' THEN 'new' END
       FROM tenants t WHERE t.id = (SELECT app_current_tenant_id())
       ON CONFLICT (tenant_id, submission_key) DO NOTHING
       RETURNING id`,
      [
        requestId,
        fields.siteId,
        fields.equipmentId,
        number,
        fields.categoryLabel,
        fields.urgency,
        fields.description,
        fields.preferredDates.length > 0 ? fields.preferredDates.join(', ') : null,
        fields.submissionKey,
      ],
    );
    if (inserted.length === 0) throw new DuplicateSubmission();

    for (const file of files) await this.insertAttachment(db, requestId, file);
    await recordPortalUserActivity(
      db,
      { action: SERVICE_REQUEST_SUBMITTED, subjectType: 'service-requests', subjectId: requestId, details: { number, files: files.length } },
      origin,
    );
    const deliveryIds = await this.recordConfirmation(db, requestId);

    const principal = this.scope.principal();
    const event: ServiceRequestCreated = {
      tenantId: principal.tenantId,
      companyId: principal.companyId,
      serviceRequestId: requestId,
      number,
      portalUserId: principal.userId,
      siteId: fields.siteId,
      equipmentId: fields.equipmentId,
      category: fields.categoryLabel,
      urgency: fields.urgency,
    };
    return { event, deliveryIds };
  }

  private async insertAttachment(db: SqlExecutor, requestId: string, file: StoredFile): Promise<void> {
    await db.execute(
      `INSERT INTO record_attachments (tenant_id, company_id, service_request_id, file_name, byte_size, sha256, storage_key,
         content_type, portal_user_id)
       VALUES ((SELECT app_current_tenant_id()), (SELECT app_current_company_id()), ?, ?, ?, ?, ?, ?, (SELECT app_current_user_id()))`,
      [requestId, file.name, file.bytes.length, file.sha256, file.storageKey, file.contentType],
    );
  }

  private async recordConfirmation(db: SqlExecutor, requestId: string): Promise<string[]> {
    const [user] = await db.execute<Array<{ email: string }>>(
      'SELECT email FROM portal_users WHERE id = (SELECT app_current_user_id())',
    );
    return this.outbox.record(db, [{ kind: 'service_request_received', recipient: user.email, details: { serviceRequestId: requestId } }]);
  }

  private async afterCommit(event: ServiceRequestCreated, deliveryIds: string[], notices: RecordedRequestNotices): Promise<void> {
    try {
      await this.outbox.dispatch(event.tenantId, deliveryIds);
    } catch (error) {
      // The worker's sweep queues a delivery whose job never reached Redis.
      this.logger.warn({ err: error, tenantId: event.tenantId, serviceRequestId: event.serviceRequestId }, 'confirmation email not queued yet');
    }
    await this.events.created(event, notices);
  }
}
