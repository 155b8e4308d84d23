import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A scheduled visit to inspect, repair or maintain equipment at a site. */
@Entity({ tableName: 'work_orders' })
export class WorkOrder extends CompanyRecord<'priority'> {
  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'uuid', fieldName: 'equipment_id', nullable: true })
  equipmentId?: string | null;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  /** The service request this work order was created from, if any. */
  @Property({ type: 'uuid', fieldName: 'service_request_id', nullable: true })
  serviceRequestId?: string | null;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'work_type' })
  workType!: string;

  @Property({ type: 'text', fieldName: 'priority', default: 'normal' })
  priority!: string;

  @Property({ type: 'text', fieldName: 'status' })
  status!: string;

  @Property({ type: 'datetime', fieldName: 'scheduled_start', columnType: 'timestamptz' })
  scheduledStart!: Date;

  @Property({ type: 'datetime', fieldName: 'scheduled_end', columnType: 'timestamptz', nullable: true })
  scheduledEnd?: Date | null;

  @Property({ type: 'datetime', fieldName: 'completed_at', columnType: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'text', fieldName: 'technician_name', nullable: true })
  technicianName?: string | null;

  @Property({ type: 'text', fieldName: 'service_details', nullable: true })
  serviceDetails?: string | null;

  @Property({ type: 'text', fieldName: 'technician_notes', nullable: true })
  technicianNotes?: string | null;
}
