import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A scheduled visit to inspect, repair or maintain equipment at a site. */
@Entity({ tableName: 'work_orders' })
export class WorkOrder {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'priority';

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

  @Property({ type: 'uuid', fieldName: 'equipment_id', nullable: true })
  equipmentId?: string | null;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'work_type' })
  workType!: string;

  @Property({ type: 'text', fieldName: 'priority', default: 'normal' })
  priority!: string;

  @Property({ type: 'text', fieldName: 'status' })
  status!: string;

  @Property({ type: 'datetime', fieldName: 'scheduled_start', columnType: 'timestamptz' })
  scheduledStart!: Date;

  @Property({ type: 'datetime', fieldName: 'scheduled_end', columnType: 'timestamptz', nullable: true })
  scheduledEnd?: Date | null;

  @Property({ type: 'datetime', fieldName: 'completed_at', columnType: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'text', fieldName: 'technician_name', nullable: true })
  technicianName?: string | null;

  @Property({ type: 'text', fieldName: 'service_details', nullable: true })
  serviceDetails?: string | null;

  @Property({ type: 'text', fieldName: 'technician_notes', nullable: true })
  technicianNotes?: string | null;
}
