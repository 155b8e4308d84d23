import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A certificate, permit or letter that documents compliance. */
@Entity({ tableName: 'compliance_documents' })
export class ComplianceDocument {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  @Property({ type: 'uuid', fieldName: 'company_id' })
  companyId!: string;

  /**
   * Generated in the application, not by the column default, because MikroORM
   * 6.6 copies a key returned by INSERT into tenantId, the first key column.
   */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'external_id', nullable: true })
  externalId?: string | null;

  @Property({ type: 'datetime', fieldName: 'shared_at', columnType: 'timestamptz', nullable: true })
  sharedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;

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
