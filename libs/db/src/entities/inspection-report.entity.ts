import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** The report of one inspection visit at a site. */
@Entity({ tableName: 'inspection_reports' })
export class InspectionReport {
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

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'inspection_type' })
  inspectionType!: string;

  @Property({ type: 'date', fieldName: 'inspected_on' })
  inspectedOn!: string;

  @Property({ type: 'text', fieldName: 'inspector_name' })
  inspectorName!: string;

  @Property({ type: 'text', fieldName: 'result' })
  result!: string;

  @Property({ type: 'text', fieldName: 'summary', nullable: true })
  summary?: string | null;
}
