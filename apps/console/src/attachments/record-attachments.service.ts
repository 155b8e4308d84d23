import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { AttachmentParent } from '../../../../libs/attachments/src/attachment-parents';
import { sha256Hex } from '../../../../libs/attachments/src/attachment-file';
import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { uploadKey } from '../../../../libs/storage/src/storage-keys';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { RecordNotFoundError } from '../records/staff-record-kinds';

/** One attachment as the staff detail page lists it. */
export interface AttachmentRow {
  id: string;
  file_name: string;
  byte_size: number;
  created_at: Date;
  uploaded_by_name: string | null;
}

/** The columns a download reads: the stored object's key, its hash and the file name. */
export interface StoredAttachment {
  file_name: string;
  sha256: string;
  storage_key: string;
}

/** A PDF that passed the upload checks, with the file name the browser sent. */
export interface CheckedPdf {
  bytes: Buffer;
  name: string;
}

export type AttachOutcome = 'attached' | 'already_attached';

/**
 * Attaches PDFs to contracts and compliance documents, lists them and
 * removes them, for staff of the signed-in tenant. Row-level security hides
 * other tenants' records, which therefore count as missing.
 */
@Injectable()
export class RecordAttachmentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(RecordAttachmentsService.name);
  }

  /**
   * Stores the PDF and records it with an activity entry in one
   * transaction. The same bytes attached to the same record again add
   * nothing. The record stays locked meanwhile, so a removal of the same
   * file cannot delete the stored object under a new row.
   */
  async attach(parent: AttachmentParent, recordId: string, pdf: CheckedPdf, origin: RequestOrigin): Promise<AttachOutcome> {
    const staff = this.scope.staff();
    const sha256 = sha256Hex(pdf.bytes);
    const storageKey = uploadKey({ tenantId: staff.tenantId, kind: parent.slug, recordId, sha256 });

    const outcome = await this.db.asStaff(async (db) => {
      const companyId = await this.lockRecord(db, parent, recordId, 'FOR SHARE');
      const [existing] = await db.execute<Array<{ id: string }>>(
        `SELECT id FROM record_attachments WHERE ${parent.column} = ? AND sha256 = ?`,
        [recordId, sha256],
      );
      if (existing) return 'already_attached';

      // NOTE: if the transaction fails after this put, the object stays in
      // storage with no row. Attaching the same file again reuses its key.
      await this.storage.put(staff.tenantId, storageKey, pdf.bytes, 'application/pdf');
      // A concurrent upload of the same bytes may have inserted the row since the check above.
      const [inserted] = await db.execute<Array<{ id: string }>>(
        `INSERT INTO record_attachments (tenant_id, company_id, ${parent.column}, file_name, byte_size, sha256, storage_key, uploaded_by)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id`,
        [companyId, recordId, pdf.name, pdf.bytes.length, sha256, storageKey, staff.userId],
      );
      if (!inserted) return 'already_attached';

      await recordActivity(
        db,
        {
          action: 'record.attachment_added',
          actorType: 'staff',
          actorId: staff.userId,
          companyId,
          subjectType: parent.slug,
          subjectId: recordId,
          details: { attachment_id: inserted.id, file_name: pdf.name, byte_size: pdf.bytes.length },
        },
        origin,
      );
      return 'attached';
    });

    const fields = { tenantId: staff.tenantId, staffUserId: staff.userId, kind: parent.slug, recordId, sha256 };
    this.logger.info({ ...fields, outcome }, 'record attachment uploaded');
    return outcome;
  }

  /**
   * Removes an attachment and its stored object, and records the removal in
   * the activity log. Returns false when the record has no such attachment,
   * for example after a second click on Remove. A missing record is a 404.
   */
  async remove(parent: AttachmentParent, recordId: string, attachmentId: string, origin: RequestOrigin): Promise<boolean> {
    const staff = this.scope.staff();
    const removed = await this.db.asStaff(async (db) => {
      const companyId = await this.lockRecord(db, parent, recordId, 'FOR UPDATE');
      const [row] = await db.execute<Array<{ file_name: string; storage_key: string }>>(
        `DELETE FROM record_attachments WHERE id = ? AND ${parent.column} = ? RETURNING file_name, storage_key`,
        [attachmentId, recordId],
      );
      if (!row) return false;

      await recordActivity(
        db,
        {
          action: 'record.attachment_removed',
          actorType: 'staff',
          actorId: staff.userId,
          companyId,
          subjectType: parent.slug,
          subjectId: recordId,
          details: { attachment_id: attachmentId, file_name: row.file_name },
        },
        origin,
      );
      // Deleted while the record is locked, so an upload of the same bytes
      // waits and then stores them again. NOTE: if the commit itself fails
      // after this, the row stays and its download finds no object.
      await this.storage.delete(staff.tenantId, row.storage_key);
      return true;
    });

    if (removed) {
      const fields = { tenantId: staff.tenantId, staffUserId: staff.userId, kind: parent.slug, recordId, attachmentId };
      this.logger.info(fields, 'record attachment removed');
    }
    return removed;
  }

  /** Lists a record's attachments, oldest first. */
  list(parent: AttachmentParent, recordId: string): Promise<AttachmentRow[]> {
    return this.db.asStaff((db) =>
      db.execute<AttachmentRow[]>(
        `SELECT a.id, a.file_name, a.byte_size, a.created_at, s.name AS uploaded_by_name
         FROM record_attachments a
         LEFT JOIN staff_users s ON s.tenant_id = a.tenant_id AND s.id = a.uploaded_by
         WHERE a.${parent.column} = ?
         ORDER BY a.created_at, a.id`,
        [recordId],
      ),
    );
  }

  /** Loads one attachment of the record, or returns null when the record has none with this id. */
  async find(parent: AttachmentParent, recordId: string, attachmentId: string): Promise<StoredAttachment | null> {
    const [row] = await this.db.asStaff((db) =>
      db.execute<StoredAttachment[]>(
        `SELECT file_name, sha256, storage_key FROM record_attachments WHERE id = ? AND ${parent.column} = ?`,
        [attachmentId, recordId],
      ),
    );
    return row ?? null;
  }

  /** Locks the parent record for the rest of the transaction and returns its company. */
  private async lockRecord(db: SqlExecutor, parent: AttachmentParent, recordId: string, lock: 'FOR SHARE' | 'FOR UPDATE'): Promise<string> {
    const [record] = await db.execute<Array<{ company_id: string }>>(
      `SELECT company_id FROM ${parent.table} WHERE id = ? ${lock}`,
      [recordId],
    );
    if (!record) throw new RecordNotFoundError(parent.singular);
    return record.company_id;
  }
}
