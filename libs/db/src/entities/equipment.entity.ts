import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** An installed asset at a site, such as a fire pump or a riser. */
@Entity({ tableName: 'equipment' })
export class Equipment {
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

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'category' })
  category!: string;

  @Property({ type: 'text', fieldName: 'manufacturer', nullable: true })
  manufacturer?: string | null;

  @Property({ type: 'text', fieldName: 'model', nullable: true })
  model?: string | null;

  @Property({ type: 'text', fieldName: 'serial_number', nullable: true })
  serialNumber?: string | null;

  @Property({ type: 'text', fieldName: 'location', nullable: true })
  location?: string | null;

  @Property({ type: 'date', fieldName: 'installed_on', nullable: true })
  installedOn?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'in_service' })
  status!: string;
}
