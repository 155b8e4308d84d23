import { randomUUID } from 'node:crypto';

import { BigIntType, Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * An invoice issued to a customer company.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'invoices' })
export class Invoice {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'subtotalMinor'
    | 'taxMinor'
    | 'totalMinor'
    | 'amountPaidMinor'
    | 'balanceMinor'
    | 'status';

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

  @Property({ type: 'date', fieldName: 'issued_on' })
  issuedOn!: string;

  @Property({ type: 'date', fieldName: 'due_on' })
  dueOn!: string;

  @Property({ type: 'character', fieldName: 'currency', length: 3 })
  currency!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'subtotal_minor', default: 0 })
  subtotalMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'tax_minor', default: 0 })
  taxMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'total_minor', default: 0 })
  totalMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'amount_paid_minor', default: 0 })
  amountPaidMinor!: string;

  /**
   * Computed by PostgreSQL (GENERATED ALWAYS AS total_minor - amount_paid_minor),
   * so MikroORM never writes it and reads it back through RETURNING.
   */
  @Property({
    type: new BigIntType('string'),
    fieldName: 'balance_minor',
    nullable: true,
    generated: '(total_minor - amount_paid_minor) stored',
  })
  balanceMinor?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'open' })
  status!: string;

  @Property({ type: 'text', fieldName: 'notes', nullable: true })
  notes?: string | null;
}
