import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** One inspection result in a piece of equipment's history. */
@Entity({ tableName: 'equipment_inspections' })
export class EquipmentInspection {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'position';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  @Property({ type: 'uuid', fieldName: 'company_id' })
  companyId!: string;

  /**
   * Generated in the application, not by the column default, because MikroORM
   * 6.6 copies a key returned by INSERT into tenantId, the first key column.
   */
  @PrimaryKey({ type: 'uuid', fieldName: 'id', defaultRaw: 'gen_random_uuid()' })
  id: string = randomUUID();

  @Property({ type: 'integer', fieldName: 'position', default: 0 })
  position!: number;

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
