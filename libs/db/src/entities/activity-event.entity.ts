import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** One entry of a tenant's activity log; rows are inserted, never changed. */
@Entity({ tableName: 'activity_events' })
export class ActivityEvent {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'occurredAt' | 'details';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as StaffUser.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'datetime', fieldName: 'occurred_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  occurredAt!: Date;

  @Property({ type: 'text', fieldName: 'action' })
  action!: string;

  @Property({ type: 'text', fieldName: 'actor_type' })
  actorType!: 'staff' | 'portal_user' | 'visitor' | 'system';

  @Property({ type: 'uuid', fieldName: 'actor_id', nullable: true })
  actorId?: string | null;

  @Property({ type: 'text', fieldName: 'actor_email', nullable: true })
  actorEmail?: string | null;

  @Property({ type: 'uuid', fieldName: 'company_id', nullable: true })
  companyId?: string | null;

  @Property({ type: 'text', fieldName: 'subject_type', nullable: true })
  subjectType?: string | null;

  @Property({ type: 'uuid', fieldName: 'subject_id', nullable: true })
  subjectId?: string | null;

  @Property({ type: 'text', fieldName: 'ip', columnType: 'inet', nullable: true })
  ip?: string | null;

  @Property({ type: 'text', fieldName: 'user_agent', nullable: true })
  userAgent?: string | null;

  @Property({ type: 'text', fieldName: 'request_id', nullable: true })
  requestId?: string | null;

  @Property({ type: 'json', fieldName: 'details', columnType: 'jsonb', defaultRaw: "'{}'" })
  details!: Record<string, unknown>;
}
