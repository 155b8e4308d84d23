import { randomUUID } from 'node:crypto';

import { BigIntType, Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A service agreement with a customer company.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'contracts' })
export class Contract {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'valueMinor' | 'autoRenew';

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

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'date', fieldName: 'starts_on' })
  startsOn!: string;

  @Property({ type: 'date', fieldName: 'ends_on' })
  endsOn!: string;

  @Property({ type: 'integer', fieldName: 'term_months' })
  termMonths!: number;

  @Property({ type: new BigIntType('string'), fieldName: 'value_minor', default: 0 })
  valueMinor!: string;

  @Property({ type: 'character', fieldName: 'currency', length: 3 })
  currency!: string;

  @Property({ type: 'text', fieldName: 'billing_frequency' })
  billingFrequency!: string;

  @Property({ type: 'text', fieldName: 'status' })
  status!: string;

  @Property({ type: 'boolean', fieldName: 'auto_renew', default: false })
  autoRenew!: boolean;

  @Property({ type: 'text', fieldName: 'scope', nullable: true })
  scope?: string | null;
}
