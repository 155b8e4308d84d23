import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** An email the worker was asked to send, and whether it was sent. */
@Entity({ tableName: 'email_deliveries' })
export class EmailDelivery {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'status' | 'attempts' | 'createdAt' | 'details';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as TenantDomain.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'kind' })
  kind!: 'branding_test' | 'invitation' | 'password_reset' | 'document_shared';

  @Property({ type: 'text', fieldName: 'recipient' })
  recipient!: string;

  @Property({ type: 'uuid', fieldName: 'requested_by', nullable: true })
  requestedBy?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'queued' })
  status!: 'queued' | 'sent' | 'failed' | 'cancelled';

  @Property({ type: 'integer', fieldName: 'attempts', default: 0 })
  attempts!: number;

  @Property({ type: 'text', fieldName: 'message_id', nullable: true })
  messageId?: string | null;

  @Property({ type: 'text', fieldName: 'last_error', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'sent_at', columnType: 'timestamptz', nullable: true })
  sentAt?: Date | null;

  @Property({ type: 'uuid', fieldName: 'access_token_id', nullable: true })
  accessTokenId?: string | null;

  @Property({ type: 'json', fieldName: 'details', columnType: 'jsonb', defaultRaw: "'{}'" })
  details!: Record<string, unknown>;
}
