import { randomUUID } from 'node:crypto';

import { BigIntType, Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A priced quote that a portal user may accept or decline.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'proposals' })
export class Proposal {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'status' | 'subtotalMinor' | 'taxMinor' | 'totalMinor';

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

  @Property({ type: 'text', fieldName: 'summary', nullable: true })
  summary?: string | null;

  @Property({ type: 'date', fieldName: 'issued_on' })
  issuedOn!: string;

  @Property({ type: 'date', fieldName: 'valid_until' })
  validUntil!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'sent' })
  status!: string;

  @Property({ type: 'character', fieldName: 'currency', length: 3 })
  currency!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'subtotal_minor', default: 0 })
  subtotalMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'tax_minor', default: 0 })
  taxMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'total_minor', default: 0 })
  totalMinor!: string;

  @Property({ type: 'text', fieldName: 'terms', nullable: true })
  terms?: string | null;

  @Property({ type: 'datetime', fieldName: 'responded_at', columnType: 'timestamptz', nullable: true })
  respondedAt?: Date | null;

  @Property({ type: 'uuid', fieldName: 'responded_by_user_id', nullable: true })
  respondedByUserId?: string | null;

  @Property({ type: 'text', fieldName: 'response_name', nullable: true })
  responseName?: string | null;

  @Property({ type: 'text', fieldName: 'response_reason', nullable: true })
  responseReason?: string | null;
}
