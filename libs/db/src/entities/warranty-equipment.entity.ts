import { Entity, Property } from '@mikro-orm/core';

import { DetailRow } from './bases/detail-row.base';

/** A piece of equipment that a warranty covers. */
@Entity({ tableName: 'warranty_equipment' })
export class WarrantyEquipment extends DetailRow {
  @Property({ type: 'uuid', fieldName: 'warranty_id' })
  warrantyId!: string;

  @Property({ type: 'uuid', fieldName: 'equipment_id' })
  equipmentId!: string;
}
