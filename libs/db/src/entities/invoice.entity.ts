import { BigIntType, Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/**
 * An invoice issued to a customer company.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'invoices' })
export class Invoice extends CompanyRecord<
  'subtotalMinor' | 'taxMinor' | 'totalMinor' | 'amountPaidMinor' | 'balanceMinor' | 'status'
> {
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
