import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A contractor employee who signs in to the staff console.
 *
 * NOTE: portal_auth has SELECT on some columns only, so queries under that
 * role must pass `fields`. MikroORM otherwise selects every column and
 * PostgreSQL rejects the query with "permission denied".
 */
@Entity({ tableName: 'staff_users' })
export class StaffUser {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'status' | 'createdAt' | 'updatedAt' | 'sessionVersion';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /**
   * Generated in the application, not by the column default, because MikroORM
   * 6.6 copies a key returned by INSERT into tenantId, the first key column.
   */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'email' })
  email!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'role' })
  role!: string;

  @Property({ type: 'text', fieldName: 'password_hash', nullable: true })
  passwordHash?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'active' })
  status!: string;

  @Property({ type: 'datetime', fieldName: 'last_login_at', columnType: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;

  /** Raised to end every session of the user at once. */
  @Property({ type: 'integer', fieldName: 'session_version', default: 1 })
  sessionVersion!: number;
}
