import { Entity, Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './bases/company-scoped-row.base';

/** A customer location where equipment is installed and serviced. */
@Entity({ tableName: 'sites' })
export class Site extends CompanyScopedRow<'country' | 'createdAt' | 'updatedAt'> {
  @Property({ type: 'text', fieldName: 'external_id' })
  externalId!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'address_line1' })
  addressLine1!: string;

  @Property({ type: 'text', fieldName: 'address_line2', nullable: true })
  addressLine2?: string | null;

  @Property({ type: 'text', fieldName: 'city' })
  city!: string;

  @Property({ type: 'text', fieldName: 'region', nullable: true })
  region?: string | null;

  @Property({ type: 'text', fieldName: 'postal_code', nullable: true })
  postalCode?: string | null;

  @Property({ type: 'character', fieldName: 'country', length: 2, default: 'US' })
  country!: string;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
