import { ArrayType, BigIntType, Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/**
 * A priced quote that a portal user may accept or decline.
 * Amounts are bigint minor currency units (cents for USD), returned as strings
 * so no value loses precision.
 */
@Entity({ tableName: 'proposals' })
export class Proposal extends CompanyRecord<'status' | 'subtotalMinor' | 'taxMinor' | 'totalMinor'> {
  @Property({ type: 'uuid', fieldName: 'site_id', nullable: true })
  siteId?: string | null;

  @Property({ type: 'text', fieldName: 'number' })
  number!: string;

  @Property({ type: 'text', fieldName: 'title' })
  title!: string;

  @Property({ type: 'text', fieldName: 'summary', nullable: true })
  summary?: string | null;

  @Property({ type: 'date', fieldName: 'issued_on' })
  issuedOn!: string;

  @Property({ type: 'date', fieldName: 'valid_until' })
  validUntil!: string;

  @Property({ type: 'text', fieldName: 'status', default: 'sent' })
  status!: string;

  @Property({ type: 'character', fieldName: 'currency', length: 3 })
  currency!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'subtotal_minor', default: 0 })
  subtotalMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'tax_minor', default: 0 })
  taxMinor!: string;

  @Property({ type: new BigIntType('string'), fieldName: 'total_minor', default: 0 })
  totalMinor!: string;

  @Property({ type: 'text', fieldName: 'terms', nullable: true })
  terms?: string | null;

  @Property({ type: 'datetime', fieldName: 'responded_at', columnType: 'timestamptz', nullable: true })
  respondedAt?: Date | null;

  @Property({ type: 'uuid', fieldName: 'responded_by_user_id', nullable: true })
  respondedByUserId?: string | null;

  @Property({ type: 'text', fieldName: 'response_name', nullable: true })
  responseName?: string | null;

  @Property({ type: 'text', fieldName: 'response_reason', nullable: true })
  responseReason?: string | null;

  @Property({ type: 'string', fieldName: 'response_ip', columnType: 'inet', nullable: true })
  responseIp?: string | null;

  @Property({ type: 'text', fieldName: 'response_user_agent', nullable: true })
  responseUserAgent?: string | null;

  /** SHA-256 of the proposal as the customer saw it when responding; see proposalFingerprint. */
  @Property({ type: 'text', fieldName: 'response_hash', nullable: true })
  responseHash?: string | null;

  /** Optional lines the customer chose when accepting. */
  @Property({ type: new ArrayType(), fieldName: 'accepted_line_ids', columnType: 'uuid[]', default: '{}' })
  acceptedLineIds!: string[];

  /** Totals with the chosen optional lines, computed by the database when the proposal is accepted. */
  @Property({ type: new BigIntType('string'), fieldName: 'accepted_subtotal_minor', nullable: true })
  acceptedSubtotalMinor?: string | null;

  @Property({ type: new BigIntType('string'), fieldName: 'accepted_tax_minor', nullable: true })
  acceptedTaxMinor?: string | null;

  @Property({ type: new BigIntType('string'), fieldName: 'accepted_total_minor', nullable: true })
  acceptedTotalMinor?: string | null;
}
