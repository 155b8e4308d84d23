import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A warranty policy that covers some of a company's equipment. */
@Entity({ tableName: 'warranties' })
export class Warranty extends CompanyRecord {
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
