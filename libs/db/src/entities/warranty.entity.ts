import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A warranty policy that covers some of a company's equipment. */
@Entity({ tableName: 'warranties' })
export class Warranty {
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

  @Property({ type: 'text', fieldName: 'provider' })
  provider!: string;

  @Property({ type: 'text', fieldName: 'policy_number' })
  policyNumber!: string;

  @Property({ type: 'text', fieldName: 'warranty_type' })
  warrantyType!: string;

  @Property({ type: 'text', fieldName: 'coverage', nullable: true })
  coverage?: string | null;

  @Property({ type: 'date', fieldName: 'starts_on' })
  startsOn!: string;

  @Property({ type: 'date', fieldName: 'expires_on' })
  expiresOn!: string;
}
