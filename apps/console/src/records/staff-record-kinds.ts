import { DomainError } from '../../../../libs/observability/src/errors';
import { RECORD_KINDS } from '../../../../libs/records/src/kinds';
import { requirementStatusSql } from '../../../../libs/records/src/kinds/compliance.kind';
import { proposalStatusSql } from '../../../../libs/records/src/kinds/proposals.kind';
import { expiryStatusSql } from '../../../../libs/records/src/kinds/warranties.kind';
import { RecordKind } from '../../../../libs/records/src/record-kind';

/** Display format of a field's value on the detail page. */
export type FieldFormat = 'text' | 'enum' | 'long_text' | 'date' | 'timestamp' | 'money' | 'status' | 'yes_no';

/** One field of the staff detail page. `column` names a column of the record row. */
export interface DetailField {
  label: string;
  column: string;
  format?: FieldFormat;
}

/**
 * A record kind as staff see it: the portal's slug and names, plus the
 * columns the console lists, searches and shows. Every column and table name
 * here is a constant, so the SQL built from them carries no request text.
 */
export interface StaffRecordKind {
  kind: RecordKind;
  table: string;
  /** Column with the record's number, or null when the kind has none. */
  numberColumn: string | null;
  /** Column with the record's title or name, or null when the kind has none. */
  titleColumn: string | null;
  /** Text columns the list's search matches, case-insensitively. */
  searchColumns: string[];
  /** Label of the search field, naming those columns. */
  searchLabel: string;
  /** NOT NULL column the list sorts on, newest first, with id as the tie-breaker. */
  dateColumn: string;
  dateType: 'date' | 'timestamp';
  dateLabel: string;
  /** SQL for the status shown on the list and detail pages. It may use :today. */
  statusSql: string;
  statusLabel: string;
  hasSite: boolean;
  /** More select-list expressions for the detail page, each aliased; constants only. */
  detailColumns?: string;
  fields: DetailField[];
}

/** The 404 for an unknown kind, and the same 404 for a missing, malformed or other tenant's record id. */
export class RecordNotFoundError extends DomainError {
  constructor(what?: string) {
    const message = what ? `No ${what} with this id exists in this workspace.` : 'No record list exists at this address.';
    super('not_found', 404, message);
  }
}

type StaffDefinition = Omit<StaffRecordKind, 'kind'>;

const site: DetailField = { label: 'Site', column: 'site_name' };
const status: DetailField = { label: 'Status', column: 'record_status', format: 'status' };

const DEFINITIONS: Record<string, StaffDefinition> = {
  'inspection-reports': {
    table: 'inspection_reports',
    numberColumn: 'number',
    titleColumn: 'title',
    searchColumns: ['number', 'title'],
    searchLabel: 'Number or title',
    dateColumn: 'inspected_on',
    dateType: 'date',
    dateLabel: 'Inspected',
    statusSql: 'r.result',
    statusLabel: 'Result',
    hasSite: true,
    fields: [
      site,
      { label: 'Inspection type', column: 'inspection_type' },
      { label: 'Inspected on', column: 'inspected_on', format: 'date' },
      { label: 'Inspector', column: 'inspector_name' },
      { label: 'Result', column: 'record_status', format: 'status' },
      { label: 'Summary', column: 'summary', format: 'long_text' },
    ],
  },
  invoices: {
    table: 'invoices',
    numberColumn: 'number',
    titleColumn: null,
    searchColumns: ['number'],
    searchLabel: 'Number',
    dateColumn: 'issued_on',
    dateType: 'date',
    dateLabel: 'Issued',
    statusSql: "CASE WHEN r.status = 'open' AND r.due_on < :today THEN 'overdue' ELSE r.status END",
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Issued on', column: 'issued_on', format: 'date' },
      { label: 'Due on', column: 'due_on', format: 'date' },
      { label: 'Total', column: 'total_minor', format: 'money' },
      { label: 'Paid', column: 'amount_paid_minor', format: 'money' },
      { label: 'Balance', column: 'balance_minor', format: 'money' },
      status,
      { label: 'Notes', column: 'notes', format: 'long_text' },
    ],
  },
  compliance: {
    table: 'compliance_requirements',
    numberColumn: null,
    titleColumn: 'title',
    searchColumns: ['title', 'code_reference'],
    searchLabel: 'Title or code reference',
    dateColumn: 'due_on',
    dateType: 'date',
    dateLabel: 'Due',
    statusSql: requirementStatusSql(':today'),
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Code reference', column: 'code_reference' },
      { label: 'Authority', column: 'authority' },
      { label: 'Frequency', column: 'frequency', format: 'enum' },
      { label: 'Due on', column: 'due_on', format: 'date' },
      { label: 'Last completed on', column: 'last_completed_on', format: 'date' },
      { label: 'Completed on', column: 'completed_on', format: 'date' },
      status,
      { label: 'Notes', column: 'notes', format: 'long_text' },
    ],
  },
  'compliance-documents': {
    table: 'compliance_documents',
    numberColumn: null,
    titleColumn: 'title',
    searchColumns: ['title', 'issuer'],
    searchLabel: 'Title or issuer',
    dateColumn: 'issued_on',
    dateType: 'date',
    dateLabel: 'Issued',
    statusSql: expiryStatusSql('r.expires_on', ':today', 'current'),
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Document type', column: 'document_type', format: 'enum' },
      { label: 'Issuer', column: 'issuer' },
      { label: 'Issued on', column: 'issued_on', format: 'date' },
      { label: 'Expires on', column: 'expires_on', format: 'date' },
      status,
    ],
  },
  contracts: {
    table: 'contracts',
    numberColumn: 'number',
    titleColumn: 'title',
    searchColumns: ['number', 'title'],
    searchLabel: 'Number or title',
    dateColumn: 'starts_on',
    dateType: 'date',
    dateLabel: 'Starts',
    statusSql: 'r.status',
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Starts on', column: 'starts_on', format: 'date' },
      { label: 'Ends on', column: 'ends_on', format: 'date' },
      { label: 'Term in months', column: 'term_months' },
      { label: 'Value', column: 'value_minor', format: 'money' },
      { label: 'Billing frequency', column: 'billing_frequency', format: 'enum' },
      { label: 'Renews automatically', column: 'auto_renew', format: 'yes_no' },
      status,
      { label: 'Scope', column: 'scope', format: 'long_text' },
    ],
  },
  proposals: {
    table: 'proposals',
    numberColumn: 'number',
    titleColumn: 'title',
    searchColumns: ['number', 'title'],
    searchLabel: 'Number or title',
    dateColumn: 'issued_on',
    dateType: 'date',
    dateLabel: 'Issued',
    statusSql: proposalStatusSql(':today'),
    statusLabel: 'Status',
    hasSite: true,
    detailColumns: `(SELECT string_agg(l.description, '; ' ORDER BY l.position, l.id) FROM proposal_lines l
      WHERE l.tenant_id = r.tenant_id AND l.id = ANY (r.accepted_line_ids)) AS accepted_lines`,
    fields: [
      site,
      { label: 'Issued on', column: 'issued_on', format: 'date' },
      { label: 'Valid until', column: 'valid_until', format: 'date' },
      { label: 'Total', column: 'total_minor', format: 'money' },
      status,
      { label: 'Summary', column: 'summary', format: 'long_text' },
      { label: 'Answered at', column: 'responded_at', format: 'timestamp' },
      { label: 'Signed by', column: 'response_name' },
      { label: 'Accepted total', column: 'accepted_total_minor', format: 'money' },
      { label: 'Optional items chosen', column: 'accepted_lines', format: 'long_text' },
      { label: 'Decline reason', column: 'response_reason', format: 'long_text' },
      { label: 'Answered from address', column: 'response_ip' },
      { label: 'Answered with browser', column: 'response_user_agent', format: 'long_text' },
      { label: 'Fingerprint of the proposal as shown', column: 'response_hash' },
    ],
  },
  equipment: {
    table: 'equipment',
    numberColumn: null,
    titleColumn: 'name',
    searchColumns: ['name', 'serial_number'],
    searchLabel: 'Name or serial number',
    // Equipment has no required date of its own, so the list shows when it was added.
    dateColumn: 'created_at',
    dateType: 'timestamp',
    dateLabel: 'Added',
    statusSql: 'r.status',
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Category', column: 'category' },
      { label: 'Manufacturer', column: 'manufacturer' },
      { label: 'Model', column: 'model' },
      { label: 'Serial number', column: 'serial_number' },
      { label: 'Location', column: 'location' },
      { label: 'Installed on', column: 'installed_on', format: 'date' },
      status,
    ],
  },
  'work-orders': {
    table: 'work_orders',
    numberColumn: 'number',
    titleColumn: 'title',
    searchColumns: ['number', 'title'],
    searchLabel: 'Number or title',
    dateColumn: 'scheduled_start',
    dateType: 'timestamp',
    dateLabel: 'Scheduled',
    statusSql: 'r.status',
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Work type', column: 'work_type', format: 'enum' },
      { label: 'Priority', column: 'priority', format: 'enum' },
      { label: 'Scheduled start', column: 'scheduled_start', format: 'timestamp' },
      { label: 'Scheduled end', column: 'scheduled_end', format: 'timestamp' },
      { label: 'Completed at', column: 'completed_at', format: 'timestamp' },
      { label: 'Technician', column: 'technician_name' },
      status,
      { label: 'Service details', column: 'service_details', format: 'long_text' },
    ],
  },
  warranties: {
    table: 'warranties',
    numberColumn: 'policy_number',
    titleColumn: 'provider',
    searchColumns: ['policy_number', 'provider'],
    searchLabel: 'Policy number or provider',
    dateColumn: 'starts_on',
    dateType: 'date',
    dateLabel: 'Starts',
    statusSql: expiryStatusSql('r.expires_on', ':today'),
    statusLabel: 'Status',
    hasSite: false,
    fields: [
      { label: 'Warranty type', column: 'warranty_type', format: 'enum' },
      { label: 'Coverage', column: 'coverage', format: 'long_text' },
      { label: 'Starts on', column: 'starts_on', format: 'date' },
      { label: 'Expires on', column: 'expires_on', format: 'date' },
      status,
    ],
  },
  'service-requests': {
    table: 'service_requests',
    numberColumn: 'number',
    titleColumn: 'category',
    searchColumns: ['number', 'category'],
    searchLabel: 'Number or category',
    dateColumn: 'created_at',
    dateType: 'timestamp',
    dateLabel: 'Submitted',
    statusSql: 'r.status',
    statusLabel: 'Status',
    hasSite: true,
    fields: [
      site,
      { label: 'Urgency', column: 'urgency', format: 'enum' },
      { label: 'Submitted at', column: 'created_at', format: 'timestamp' },
      status,
      { label: 'Description', column: 'description', format: 'long_text' },
      { label: 'Preferred dates', column: 'preferred_dates' },
    ],
  },
};

/** Staff views of every portal record kind, in the portal's navigation order. */
export const STAFF_RECORD_KINDS: StaffRecordKind[] = RECORD_KINDS.map((kind) => {
  const definition = DEFINITIONS[kind.slug];
  if (!definition) throw new Error(`Record kind ${kind.slug} has no staff console definition`);
  return { kind, ...definition };
});

/** Links for the console's Records menu. */
export const RECORD_NAVIGATION = STAFF_RECORD_KINDS.map(({ kind }) => ({ slug: kind.slug, title: kind.title }));

const BY_SLUG = new Map(STAFF_RECORD_KINDS.map((staffKind) => [staffKind.kind.slug, staffKind]));

/** Looks a kind up by its URL slug and throws a 404 error for an unknown slug. */
export function staffKindOf(slug: string): StaffRecordKind {
  const staffKind = BY_SLUG.get(slug);
  if (!staffKind) throw new RecordNotFoundError();
  return staffKind;
}

/** Builds a human label for emails and headings, such as "Invoice INV-1042". */
export function recordLabel(staffKind: StaffRecordKind, number: unknown, title: unknown): string {
  const name = number ?? title;
  return name === null || name === undefined ? staffKind.kind.singular : `${staffKind.kind.singular} ${String(name)}`;
}
