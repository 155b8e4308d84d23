import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A single-use link to set a password, for an invitation or a reset. Only a
 * SHA-256 hash of the token is stored, written when the email is composed.
 */
@Entity({ tableName: 'access_tokens' })
export class AccessToken {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as StaffUser.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'purpose' })
  purpose!: 'invitation' | 'password_reset';

  @Property({ type: 'uuid', fieldName: 'portal_user_id', nullable: true })
  portalUserId?: string | null;

  @Property({ type: 'uuid', fieldName: 'staff_user_id', nullable: true })
  staffUserId?: string | null;

  @Property({ type: 'blob', fieldName: 'token_hash', columnType: 'bytea', nullable: true })
  tokenHash?: Buffer | null;

  @Property({ type: 'datetime', fieldName: 'expires_at', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', fieldName: 'used_at', columnType: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'voided_at', columnType: 'timestamptz', nullable: true })
  voidedAt?: Date | null;

  @Property({ type: 'uuid', fieldName: 'created_by', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
