import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A customer location where equipment is installed and serviced. */
@Entity({ tableName: 'sites' })
export class Site {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'country' | 'createdAt' | 'updatedAt';

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

  @Property({ type: 'text', fieldName: 'external_id' })
  externalId!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'address_line1' })
  addressLine1!: string;

  @Property({ type: 'text', fieldName: 'address_line2', nullable: true })
  addressLine2?: string | null;

  @Property({ type: 'text', fieldName: 'city' })
  city!: string;

  @Property({ type: 'text', fieldName: 'region', nullable: true })
  region?: string | null;

  @Property({ type: 'text', fieldName: 'postal_code', nullable: true })
  postalCode?: string | null;

  @Property({ type: 'character', fieldName: 'country', length: 2, default: 'US' })
  country!: string;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
