import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A contractor that runs its own white-label portal.
 *
 * NOTE: portal_resolver may read only id, slug and status, so queries under
 * that role must pass `fields`.
 */
@Entity({ tableName: 'tenants' })
export class Tenant {
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?:
    | 'id'
    | 'status'
    | 'locale'
    | 'timeZone'
    | 'currency'
    | 'serviceRequestIntake'
    | 'lastServiceRequestNumber'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'text', fieldName: 'slug' })
  slug!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'active' })
  status!: string;

  @Property({ type: 'text', fieldName: 'locale', default: 'en-US' })
  locale!: string;

  @Property({ type: 'text', fieldName: 'time_zone', default: 'UTC' })
  timeZone!: string;

  @Property({ type: 'character', fieldName: 'currency', length: 3, default: 'USD' })
  currency!: string;

  /** Where a new service request lands in the console inbox: 'work_order' (the default) or 'lead'. */
  @Property({ type: 'text', fieldName: 'service_request_intake', default: 'work_order' })
  serviceRequestIntake!: string;

  /** The number of the tenant's latest portal-submitted service request, SR-000001 being 1. */
  @Property({ type: 'integer', fieldName: 'last_service_request_number', default: 0 })
  lastServiceRequestNumber!: number;

  @Property({ type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
