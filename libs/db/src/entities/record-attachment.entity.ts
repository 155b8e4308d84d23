import { Entity, Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './bases/company-scoped-row.base';

/**
 * A PDF that staff attached to a contract or a compliance document. Exactly
 * one of contractId and complianceDocumentId is set. Customers read the row
 * only while they can read that parent record.
 */
@Entity({ tableName: 'record_attachments' })
export class RecordAttachment extends CompanyScopedRow<'createdAt'> {
  @Property({ type: 'uuid', fieldName: 'contract_id', nullable: true })
  contractId?: string | null;

  @Property({ type: 'uuid', fieldName: 'compliance_document_id', nullable: true })
  complianceDocumentId?: string | null;

  /** The uploader's file name, at most 255 characters. */
  @Property({ type: 'text', fieldName: 'file_name' })
  fileName!: string;

  @Property({ type: 'integer', fieldName: 'byte_size' })
  byteSize!: number;

  /** SHA-256 of the file's bytes, 64 lowercase hex digits. */
  @Property({ type: 'text', fieldName: 'sha256' })
  sha256!: string;

  /** Document storage key, under the tenant's prefix. */
  @Property({ type: 'text', fieldName: 'storage_key' })
  storageKey!: string;

  /** The staff user who attached the file, or null once that user is deleted. */
  @Property({ type: 'uuid', fieldName: 'uploaded_by', nullable: true })
  uploadedBy?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
