import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** The report of one inspection visit at a site. */
@Entity({ tableName: 'inspection_reports' })
export class InspectionReport extends CompanyRecord {
  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'inspection_type' })
  inspectionType!: string;

  @Property({ type: 'date', fieldName: 'inspected_on' })
  inspectedOn!: string;

  @Property({ type: 'text', fieldName: 'inspector_name' })
  inspectorName!: string;

  @Property({ type: 'text', fieldName: 'result' })
  result!: string;

  @Property({ type: 'text', fieldName: 'summary', nullable: true })
  summary?: string | null;
}
