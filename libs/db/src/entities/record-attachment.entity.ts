import { Entity, Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './bases/company-scoped-row.base';

/**
 * A PDF that staff attached to a contract or a compliance document, or a
 * photo or PDF a portal user sent with a service request. Exactly one of
 * contractId, complianceDocumentId and serviceRequestId is set. Customers
 * read the row only while they can read that parent record.
 */
@Entity({ tableName: 'record_attachments' })
export class RecordAttachment extends CompanyScopedRow<'createdAt' | 'contentType'> {
  @Property({ type: 'uuid', fieldName: 'contract_id', nullable: true })
  contractId?: string | null;

  @Property({ type: 'uuid', fieldName: 'compliance_document_id', nullable: true })
  complianceDocumentId?: string | null;

  @Property({ type: 'uuid', fieldName: 'service_request_id', nullable: true })
  serviceRequestId?: string | null;

  /** Media type found from the file's bytes: application/pdf, image/jpeg, image/png, image/webp or image/heic. */
  @Property({ type: 'text', fieldName: 'content_type', default: 'application/pdf' })
  contentType!: string;

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

  /** The portal user who uploaded the file with a service request, or null. */
  @Property({ type: 'uuid', fieldName: 'portal_user_id', nullable: true })
  portalUserId?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
