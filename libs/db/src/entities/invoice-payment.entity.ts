import { randomUUID } from 'node:crypto';

import { BigIntType, Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A payment received against an invoice.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'invoice_payments' })
export class InvoicePayment {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'position';

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

  @Property({ type: 'integer', fieldName: 'position', default: 0 })
  position!: number;

  @Property({ type: 'uuid', fieldName: 'invoice_id' })
  invoiceId!: string;

  @Property({ type: 'date', fieldName: 'paid_on' })
  paidOn!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'amount_minor' })
  amountMinor!: string;

  @Property({ type: 'text', fieldName: 'method' })
  method!: string;

  @Property({ type: 'text', fieldName: 'reference', nullable: true })
  reference?: string | null;
}
