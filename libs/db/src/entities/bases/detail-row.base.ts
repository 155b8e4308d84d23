import { Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './company-scoped-row.base';

/**
 * Columns that every detail row shares. A detail row is an ordered child of a
 * record, such as an invoice line or an inspection finding. Row-level security
 * lets customers read it only while they can read its parent record.
 *
 * `Optional` names the subclass properties that have a default value, in
 * addition to `id` and `position`.
 */
export abstract class DetailRow<Optional extends string = never> extends CompanyScopedRow<'position' | Optional> {
  @Property({ type: 'integer', fieldName: 'position', default: 0 })
  position!: number;
}
