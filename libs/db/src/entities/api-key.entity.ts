import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A key the tenant's own systems use for the integration API. Only the
 * SHA-256 of its secret is stored; the full key is shown once, at creation.
 */
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  /** 24 hex digits that name the key in requests, unique across tenants. */
  @Property({ type: 'text', fieldName: 'public_id' })
  publicId!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  /** `read` or `read_write`. */
  @Property({ type: 'text', fieldName: 'scope' })
  scope!: string;

  /** SHA-256 of the key's 32-byte secret. */
  @Property({ type: 'blob', fieldName: 'secret_hash', columnType: 'bytea' })
  secretHash!: Buffer;

  @Property({ type: 'uuid', fieldName: 'created_by', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  /** Last request made with the key, written at most once a minute. */
  @Property({ type: 'datetime', fieldName: 'last_used_at', columnType: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'revoked_at', columnType: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'uuid', fieldName: 'revoked_by', nullable: true })
  revokedBy?: string | null;
}
