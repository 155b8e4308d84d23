import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A URL of the tenant's that receives signed webhook events of the types it subscribes to. */
@Entity({ tableName: 'webhook_endpoints' })
export class WebhookEndpoint {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'description' | 'enabled' | 'secretRotatedAt' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as StaffUser.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  /** An http or https URL, checked against private addresses when saved and again before each delivery. */
  @Property({ type: 'text', fieldName: 'url' })
  url!: string;

  @Property({ type: 'text', fieldName: 'description', defaultRaw: "''" })
  description!: string;

  @Property({ type: 'string[]', fieldName: 'event_types', columnType: 'text[]' })
  eventTypes!: string[];

  @Property({ type: 'boolean', fieldName: 'enabled', defaultRaw: 'true' })
  enabled!: boolean;

  /** The signing secret, encrypted with AES-256-GCM under WEBHOOK_SECRET_KEY (libs/webhooks/src/secret-box.ts). */
  @Property({ type: 'blob', fieldName: 'secret_ciphertext', columnType: 'bytea' })
  secretCiphertext!: Buffer;

  @Property({ type: 'datetime', fieldName: 'secret_rotated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  secretRotatedAt!: Date;

  @Property({ type: 'uuid', fieldName: 'created_by', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
