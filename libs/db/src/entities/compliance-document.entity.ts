import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A certificate, permit or letter that documents compliance. */
@Entity({ tableName: 'compliance_documents' })
export class ComplianceDocument extends CompanyRecord {
  @Property({ type: 'uuid', fieldName: 'site_id', nullable: true })
  siteId?: string | null;

  @Property({ type: 'uuid', fieldName: 'requirement_id', nullable: true })
  requirementId?: string | null;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'document_type' })
  documentType!: string;

  @Property({ type: 'text', fieldName: 'issuer', nullable: true })
  issuer?: string | null;

  @Property({ type: 'date', fieldName: 'issued_on' })
  issuedOn!: string;

  @Property({ type: 'date', fieldName: 'expires_on', nullable: true })
  expiresOn?: string | null;
}
