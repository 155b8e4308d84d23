import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** A recurring code or permit obligation at a site, with its next due date. */
@Entity({ tableName: 'compliance_requirements' })
export class ComplianceRequirement extends CompanyRecord {
  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'code_reference', nullable: true })
  codeReference?: string | null;

  @Property({ type: 'text', fieldName: 'authority', nullable: true })
  authority?: string | null;

  @Property({ type: 'text', fieldName: 'frequency' })
  frequency!: string;

  @Property({ type: 'date', fieldName: 'last_completed_on', nullable: true })
  lastCompletedOn?: string | null;

  @Property({ type: 'date', fieldName: 'due_on' })
  dueOn!: string;

  @Property({ type: 'date', fieldName: 'completed_on', nullable: true })
  completedOn?: string | null;

  @Property({ type: 'text', fieldName: 'notes', nullable: true })
  notes?: string | null;
}
