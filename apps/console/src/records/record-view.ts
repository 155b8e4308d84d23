import { TenantFormatter } from '../../../../libs/locale/src';
import { humanize } from '../../../../libs/web/src/view-engine';
import type { RecordRow } from './staff-records.service';
import { DetailField, recordLabel, StaffRecordKind } from './staff-record-kinds';

/** One list row as the template shows it, with dates already formatted for the tenant. */
export interface ListRowView {
  id: string;
  number: string | null;
  title: string | null;
  label: string;
  companyName: string;
  dateText: string;
  status: string;
  sharedAtText: string | null;
}

/** One field of the detail page: plain text, or a status shown as a badge. */
export interface FieldView {
  label: string;
  text: string;
  status: string | null;
  long: boolean;
}

const EMPTY = '—';

export function listRowView(staffKind: StaffRecordKind, row: RecordRow, format: TenantFormatter): ListRowView {
  const number = textOrNull(row.record_number);
  const title = textOrNull(row.record_title);
  return {
    id: String(row.id),
    number,
    title,
    label: recordLabel(staffKind, number, title),
    companyName: String(row.company_name),
    dateText:
      staffKind.dateType === 'date' ? format.date(row.record_date as string) : format.dateTime(row.record_date as string),
    status: String(row.record_status),
    sharedAtText: row.shared_at ? format.dateTime(row.shared_at as string) : null,
  };
}

export function detailFieldsView(staffKind: StaffRecordKind, record: RecordRow, format: TenantFormatter): FieldView[] {
  return staffKind.fields.map((field) => fieldView(field, record, format));
}

function fieldView(field: DetailField, record: RecordRow, format: TenantFormatter): FieldView {
  const value = record[field.column];
  const view = { label: field.label, text: EMPTY, status: null, long: field.format === 'long_text' };
  if (value === null || value === undefined || value === '') return view;

  switch (field.format) {
    case 'status':
      return { ...view, text: humanize(value), status: String(value) };
    case 'enum':
      return { ...view, text: humanize(value) };
    case 'date':
      return { ...view, text: format.date(value as string) };
    case 'timestamp':
      return { ...view, text: format.dateTime(value as string) };
    case 'money':
      return { ...view, text: format.money(String(value), String(record.currency)) };
    case 'yes_no':
      return { ...view, text: value ? 'Yes' : 'No' };
    default:
      return { ...view, text: String(value) };
  }
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Builds a list URL that keeps the filters and adds a page cursor. */
export function listHref(slug: string, filters: Record<string, string>, page?: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...page })) {
    if (value) params.set(name, value);
  }
  const query = params.toString();
  return `/records/${slug}${query ? `?${query}` : ''}`;
}

/** Formats a count as "1 active portal user" or "3 active portal users". */
export function activeUserPhrase(count: number): string {
  return `${count} active portal ${count === 1 ? 'user' : 'users'}`;
}
