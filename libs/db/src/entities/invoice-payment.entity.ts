import { BigIntType, Entity, Property } from '@mikro-orm/core';

import { DetailRow } from './bases/detail-row.base';

/**
 * A payment received against an invoice.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'invoice_payments' })
export class InvoicePayment extends DetailRow {
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
