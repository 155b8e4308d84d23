import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A customer of the tenant, whose portal users see its records. */
@Entity({ tableName: 'customer_companies' })
export class CustomerCompany {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

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

  @Property({ type: 'text', fieldName: 'account_number', nullable: true })
  accountNumber?: string | null;

  @Property({ type: 'text', fieldName: 'billing_email', nullable: true })
  billingEmail?: string | null;

  @Property({ type: 'text', fieldName: 'phone', nullable: true })
  phone?: string | null;

  @Property({ type: 'text', fieldName: 'address', nullable: true })
  address?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
