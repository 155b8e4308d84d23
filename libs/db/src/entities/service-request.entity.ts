import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A request for service that a portal user or staff member files. */
@Entity({ tableName: 'service_requests' })
export class ServiceRequest extends CompanyRecord<'status' | 'intake'> {
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

  /** The portal form's one-time key; a second submit of the same form finds this request. Null for other sources. */
  @Property({ type: 'uuid', fieldName: 'submission_key', nullable: true })
  submissionKey?: string | null;

  /** How the tenant handled new requests when this one arrived: 'work_order' or 'lead'. */
  @Property({ type: 'text', fieldName: 'intake', default: 'work_order' })
  intake!: string;

  /** For a lead: new, contacted, qualified or closed. Null for the work-order intake. */
  @Property({ type: 'text', fieldName: 'lead_status', nullable: true })
  leadStatus?: string | null;

  @Property({ type: 'datetime', fieldName: 'triaged_at', columnType: 'timestamptz', nullable: true })
  triagedAt?: Date | null;
}
