import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A recurring code or permit obligation at a site, with its next due date. */
@Entity({ tableName: 'compliance_requirements' })
export class ComplianceRequirement {
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

  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'code_reference', nullable: true })
  codeReference?: string | null;

  @Property({ type: 'text', fieldName: 'authority', nullable: true })
  authority?: string | null;

  @Property({ type: 'text', fieldName: 'frequency' })
  frequency!: string;

  @Property({ type: 'date', fieldName: 'last_completed_on', nullable: true })
  lastCompletedOn?: string | null;

  @Property({ type: 'date', fieldName: 'due_on' })
  dueOn!: string;

  @Property({ type: 'date', fieldName: 'completed_on', nullable: true })
  completedOn?: string | null;

  @Property({ type: 'text', fieldName: 'notes', nullable: true })
  notes?: string | null;
}
