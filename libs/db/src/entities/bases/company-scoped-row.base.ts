import { randomUUID } from 'node:crypto';

import { OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * Key columns of a row that belongs to one customer company of a tenant. The
 * primary key is (tenant_id, id), and row-level security policies filter on
 * company_id.
 *
 * The base classes in this folder carry no @Entity decorator, so MikroORM
 * copies their properties into each subclass and maps them to the subclass's
 * table. `Optional` names the subclass properties that have a default value,
 * in addition to `id`.
 */
export abstract class CompanyScopedRow<Optional extends string = never> {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | Optional;

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
}
