import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A piece of equipment that a warranty covers. */
@Entity({ tableName: 'warranty_equipment' })
export class WarrantyEquipment {
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

  @Property({ type: 'uuid', fieldName: 'warranty_id' })
  warrantyId!: string;

  @Property({ type: 'uuid', fieldName: 'equipment_id' })
  equipmentId!: string;
}
