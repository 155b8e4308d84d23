import { BigIntType, Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/**
 * A service agreement with a customer company.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'contracts' })
export class Contract extends CompanyRecord<'valueMinor' | 'autoRenew'> {
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
