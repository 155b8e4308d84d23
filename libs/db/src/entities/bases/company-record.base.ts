import { Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './company-scoped-row.base';

/**
 * Columns that every record kind shares: equipment, inspection reports,
 * invoices, compliance requirements and documents, contracts, proposals, work
 * orders, warranties and service requests. Row-level security lets customers
 * read a record only once sharedAt is set.
 *
 * `Optional` names the subclass properties that have a default value, in
 * addition to `id`, `createdAt` and `updatedAt`.
 */
export abstract class CompanyRecord<Optional extends string = never> extends CompanyScopedRow<
  'createdAt' | 'updatedAt' | Optional
> {
  @Property({ type: 'text', fieldName: 'external_id', nullable: true })
  externalId?: string | null;

  @Property({ type: 'datetime', fieldName: 'shared_at', columnType: 'timestamptz', nullable: true })
  sharedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
