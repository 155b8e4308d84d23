import { columnOf, DetailDefinition, ResourceDefinition } from '../schema/resource-definition';

/** A body field stored in a column of the same name in snake_case. */
export interface ScalarField {
  field: string;
  column: string;
}

const NOT_COLUMNS = new Set(['shared']);

/** Lists the body fields of a resource that are plain columns, so not references, detail lists, sharing or actions. */
export function scalarFields(resource: ResourceDefinition): ScalarField[] {
  const skip = new Set([
    ...NOT_COLUMNS,
    ...resource.references.map((reference) => reference.field),
    ...resource.details.map((detail) => detail.field),
    ...(resource.actions ?? []),
  ]);
  return Object.keys(resource.shape.shape)
    .filter((field) => !skip.has(field))
    .map((field) => ({ field, column: columnOf(field) }));
}

export function detailScalarFields(detail: DetailDefinition): ScalarField[] {
  const skip = new Set(detail.references.map((reference) => reference.field));
  return Object.keys(detail.row.shape)
    .filter((field) => !skip.has(field))
    .map((field) => ({ field, column: columnOf(field) }));
}

/** Turns a column name into its response field: invited_at becomes invitedAt. */
export function fieldOf(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** bigint and numeric columns arrive from pg as strings; the API speaks numbers. */
export function isNumericField(field: string): boolean {
  return field.endsWith('Minor') || field === 'quantity';
}

/** Converts the numeric strings of one row into numbers, in place. */
export function numbersOf(row: Record<string, unknown>): Record<string, unknown> {
  for (const [field, value] of Object.entries(row)) {
    if (typeof value === 'string' && isNumericField(field)) row[field] = Number(value);
  }
  return row;
}
