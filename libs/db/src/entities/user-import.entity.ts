import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A CSV file of portal users to invite, worked through by the worker. */
@Entity({ tableName: 'user_imports' })
export class UserImport {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'status' | 'processedRows' | 'createdAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  /** Generated in the application for the same reason as StaffUser.id. */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'file_name' })
  fileName!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'queued' })
  status!: 'queued' | 'running' | 'done' | 'failed';

  @Property({ type: 'integer', fieldName: 'total_rows' })
  totalRows!: number;

  @Property({ type: 'integer', fieldName: 'processed_rows', default: 0 })
  processedRows!: number;

  @Property({ type: 'uuid', fieldName: 'created_by', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'finished_at', columnType: 'timestamptz', nullable: true })
  finishedAt?: Date | null;
}
