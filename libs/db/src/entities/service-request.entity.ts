import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A request for service that a portal user or staff member files. */
@Entity({ tableName: 'service_requests' })
export class ServiceRequest {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'status';

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

  @Property({ type: 'uuid', fieldName: 'portal_user_id', nullable: true })
  portalUserId?: string | null;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'category' })
  category!: string;

  @Property({ type: 'text', fieldName: 'urgency' })
  urgency!: string;

  @Property({ type: 'text', fieldName: 'description' })
  description!: string;

  @Property({ type: 'text', fieldName: 'preferred_dates', nullable: true })
  preferredDates?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'submitted' })
  status!: string;
}
