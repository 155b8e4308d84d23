import { Entity, Property } from '@mikro-orm/core';

import { DetailRow } from './bases/detail-row.base';

/** One inspection result in a piece of equipment's history. */
@Entity({ tableName: 'equipment_inspections' })
export class EquipmentInspection extends DetailRow {
  @Property({ type: 'uuid', fieldName: 'equipment_id' })
  equipmentId!: string;

  @Property({ type: 'uuid', fieldName: 'report_id', nullable: true })
  reportId?: string | null;

  @Property({ type: 'date', fieldName: 'inspected_on' })
  inspectedOn!: string;

  @Property({ type: 'text', fieldName: 'result' })
  result!: string;

  @Property({ type: 'text', fieldName: 'notes', nullable: true })
  notes?: string | null;
}
