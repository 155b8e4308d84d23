import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** One event sent to one endpoint: its status and the outcome of the latest attempt. */
@Entity({ tableName: 'webhook_deliveries' })
export class WebhookDelivery {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'status' | 'round' | 'attemptCount' | 'nextAttemptAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as StaffUser.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'uuid', fieldName: 'event_id' })
  eventId!: string;

  @Property({ type: 'uuid', fieldName: 'endpoint_id' })
  endpointId!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'pending' })
  status!: 'pending' | 'succeeded' | 'failed';

  /** Raised by each manual redelivery. The BullMQ job id includes it. */
  @Property({ type: 'integer', fieldName: 'round', default: 1 })
  round!: number;

  @Property({ type: 'integer', fieldName: 'attempt_count', default: 0 })
  attemptCount!: number;

  @Property({ type: 'datetime', fieldName: 'last_attempt_at', columnType: 'timestamptz', nullable: true })
  lastAttemptAt?: Date | null;

  @Property({ type: 'integer', fieldName: 'last_status_code', nullable: true })
  lastStatusCode?: number | null;

  /** The start of the last response body, or why the last attempt failed, at most 1,000 characters. */
  @Property({ type: 'text', fieldName: 'last_response', nullable: true })
  lastResponse?: string | null;

  @Property({ type: 'datetime', fieldName: 'next_attempt_at', columnType: 'timestamptz', nullable: true, defaultRaw: 'now()' })
  nextAttemptAt?: Date | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
