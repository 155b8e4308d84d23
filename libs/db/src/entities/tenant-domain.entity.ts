import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A hostname that serves one tenant's portal.
 *
 * NOTE: portal_resolver may read only tenant_id, hostname, verified_at and
 * is_primary, so queries under that role must pass `fields`.
 */
@Entity({ tableName: 'tenant_domains' })
export class TenantDomain {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'isPrimary' | 'createdAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /**
   * Generated in the application, not by the column default, because MikroORM
   * 6.6 copies a key returned by INSERT into tenantId, the first key column.
   */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'hostname' })
  hostname!: string;

  @Property({ type: 'datetime', fieldName: 'verified_at', columnType: 'timestamptz', nullable: true })
  verifiedAt?: Date | null;

  @Property({ type: 'boolean', fieldName: 'is_primary', default: false })
  isPrimary!: boolean;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  /** Value of the `_portal-verification` TXT record that proves control; null for domains from manifests. */
  @Property({ type: 'text', fieldName: 'verification_token', nullable: true })
  verificationToken?: string | null;

  @Property({ type: 'datetime', fieldName: 'last_checked_at', columnType: 'timestamptz', nullable: true })
  lastCheckedAt?: Date | null;

  /** Reason the last verification failed, shown to staff; null after a success. */
  @Property({ type: 'text', fieldName: 'last_check_error', nullable: true })
  lastCheckError?: string | null;

  /** Staff user who added the domain in the console. */
  @Property({ type: 'uuid', fieldName: 'added_by', nullable: true })
  addedBy?: string | null;
}
