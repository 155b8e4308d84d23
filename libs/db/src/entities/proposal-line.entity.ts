import { randomUUID } from 'node:crypto';

import { BigIntType, DecimalType, Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A line item of a proposal.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'proposal_lines' })
export class ProposalLine {
  [PrimaryKeyProp]?: ['tenantId', 'id'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'id' | 'position' | 'unitPriceMinor' | 'amountMinor' | 'isOptional';

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

  @Property({ type: 'uuid', fieldName: 'proposal_id' })
  proposalId!: string;

  @Property({ type: 'text', fieldName: 'description' })
  description!: string;

  @Property({ type: new DecimalType('string'), fieldName: 'quantity', precision: 12, scale: 3 })
  quantity!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'unit_price_minor', default: 0 })
  unitPriceMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'amount_minor', default: 0 })
  amountMinor!: string;

  @Property({ type: 'boolean', fieldName: 'is_optional', default: false })
  isOptional!: boolean;
}
