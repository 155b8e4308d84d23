import { Entity, Property } from '@mikro-orm/core';

import { DetailRow } from './bases/detail-row.base';

/** A finding of an inspection report, visible to customers with its report. */
@Entity({ tableName: 'inspection_findings' })
export class InspectionFinding extends DetailRow<'status' | 'isDeficiency'> {
  @Property({ type: 'uuid', fieldName: 'report_id' })
  reportId!: string;

  @Property({ type: 'uuid', fieldName: 'equipment_id', nullable: true })
  equipmentId?: string | null;

  @Property({ type: 'text', fieldName: 'severity' })
  severity!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'open' })
  status!: string;

  @Property({ type: 'boolean', fieldName: 'is_deficiency', default: true })
  isDeficiency!: boolean;

  @Property({ type: 'text', fieldName: 'location' })
  location!: string;

  @Property({ type: 'text', fieldName: 'description' })
  description!: string;

  @Property({ type: 'text', fieldName: 'recommendation', nullable: true })
  recommendation?: string | null;

  @Property({ type: 'text', fieldName: 'code_reference', nullable: true })
  codeReference?: string | null;
}
