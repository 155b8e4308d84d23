import type { z } from 'zod';

/** A body field that names another row by its external id, stored as that row's uuid. */
export interface ReferenceField {
  field: string;
  column: string;
  table: string;
  /** Name of the row in error messages, such as "site". */
  label: string;
  /** Whether the row must belong to the same customer company as the written one. */
  sameCompany: boolean;
}

/** Detail rows that a record owns and that an upsert replaces as a whole, such as invoice lines. */
export interface DetailDefinition {
  field: string;
  table: string;
  parentColumn: string;
  /** The zod schema of one row; its fields other than references map to snake_case columns. */
  row: z.AnyZodObject;
  references: ReferenceField[];
}

export type ResourceKind = 'company' | 'company_row' | 'record';

/**
 * One resource of the API: the body schema that validates requests and
 * documents them, and how its fields map onto a table.
 */
export interface ResourceDefinition {
  /** URL segment, such as "invoices". */
  path: string;
  /** Singular name, used in the OpenAPI document. */
  name: string;
  table: string;
  /** company: customer_companies; company_row: a row of one company; record: a record kind with sharing. */
  kind: ResourceKind;
  /** The strict object schema of the body, before cross-field checks. */
  shape: z.AnyZodObject;
  /** The schema requests are validated with: `shape` plus any cross-field checks. */
  body: z.ZodTypeAny;
  references: ReferenceField[];
  details: DetailDefinition[];
  /** Body fields that are not columns, such as sendInvitation. */
  actions?: string[];
  /** Columns the API returns but never writes, mapped to their response field. */
  readOnly?: Record<string, z.ZodTypeAny>;
  /** Column values derived from the body, such as an invoice's amount paid from its payments. */
  derive?: (body: Record<string, unknown>) => Record<string, unknown>;
}

/** Turns a body field name into its column name: unitPriceMinor becomes unit_price_minor. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export const companyReference: ReferenceField = {
  field: 'companyExternalId',
  column: 'company_id',
  table: 'customer_companies',
  label: 'customer company',
  sameCompany: false,
};

export function siteReference(): ReferenceField {
  return { field: 'siteExternalId', column: 'site_id', table: 'sites', label: 'site', sameCompany: true };
}

export function equipmentReference(): ReferenceField {
  return { field: 'equipmentExternalId', column: 'equipment_id', table: 'equipment', label: 'equipment', sameCompany: true };
}
