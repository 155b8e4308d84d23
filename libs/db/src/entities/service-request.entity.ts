import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A request for service that a portal user or staff member files. */
@Entity({ tableName: 'service_requests' })
export class ServiceRequest extends CompanyRecord<'status'> {
  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'uuid', fieldName: 'equipment_id', nullable: true })
  equipmentId?: string | null;

  @Property({ type: 'uuid', fieldName: 'portal_user_id', nullable: true })
  portalUserId?: string | null;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'category' })
  category!: string;

  @Property({ type: 'text', fieldName: 'urgency' })
  urgency!: string;

  @Property({ type: 'text', fieldName: 'description' })
  description!: string;

  @Property({ type: 'text', fieldName: 'preferred_dates', nullable: true })
  preferredDates?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'submitted' })
  status!: string;
}
