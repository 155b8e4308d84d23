import { randomUUID } from 'node:crypto';

import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A finding of an inspection report, visible to customers with its report. */
@Entity({ tableName: 'inspection_findings' })
export class InspectionFinding {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'position' | 'status' | 'isDeficiency';

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
