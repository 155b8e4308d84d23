import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A customer contact who signs in to the portal for one company.
 *
 * NOTE: portal_customer and portal_auth have SELECT on some columns only, so
 * queries under those roles must pass `fields`. MikroORM otherwise selects
 * every column and PostgreSQL rejects the query with "permission denied".
 */
@Entity({ tableName: 'portal_users' })
export class PortalUser {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'status' | 'createdAt' | 'updatedAt';

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

  @Property({ type: 'text', fieldName: 'email' })
  email!: string;

  @Property({ type: 'text', fieldName: 'name', nullable: true })
  name?: string | null;

  @Property({ type: 'text', fieldName: 'password_hash', nullable: true })
  passwordHash?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'invited' })
  status!: string;

  @Property({ type: 'datetime', fieldName: 'invited_at', columnType: 'timestamptz', nullable: true })
  invitedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'activated_at', columnType: 'timestamptz', nullable: true })
  activatedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'last_login_at', columnType: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
