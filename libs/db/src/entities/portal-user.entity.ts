import { Entity, Property } from '@mikro-orm/core';

import { CompanyScopedRow } from './bases/company-scoped-row.base';

/**
 * A customer contact who signs in to the portal for one company.
 *
 * NOTE: portal_customer and portal_auth have SELECT on some columns only, so
 * queries under those roles must pass `fields`. MikroORM otherwise selects
 * every column and PostgreSQL rejects the query with "permission denied".
 */
@Entity({ tableName: 'portal_users' })
export class PortalUser extends CompanyScopedRow<'status' | 'createdAt' | 'updatedAt' | 'sessionVersion'> {
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

  /** Raised to end every session of the user at once. */
  @Property({ type: 'integer', fieldName: 'session_version', default: 1 })
  sessionVersion!: number;

  /** The tenant's own id for the user, set through the integration API, and null for users created in the console. */
  @Property({ type: 'text', fieldName: 'external_id', nullable: true })
  externalId?: string | null;
}
