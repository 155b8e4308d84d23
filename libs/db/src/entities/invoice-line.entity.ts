import { BigIntType, DecimalType, Entity, Property } from '@mikro-orm/core';

import { DetailRow } from './bases/detail-row.base';

/**
 * A line item of an invoice.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'invoice_lines' })
export class InvoiceLine extends DetailRow<'unitPriceMinor' | 'amountMinor'> {
  @Property({ type: 'uuid', fieldName: 'invoice_id' })
  invoiceId!: string;

  @Property({ type: 'text', fieldName: 'description' })
  description!: string;

  @Property({ type: new DecimalType('string'), fieldName: 'quantity', precision: 12, scale: 3 })
  quantity!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'unit_price_minor', default: 0 })
  unitPriceMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'amount_minor', default: 0 })
  amountMinor!: string;
}
