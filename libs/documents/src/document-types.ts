import type { SEVERITIES } from '../../records/src/kinds/inspection-reports.kind';

/**
 * The data behind each printed document. Every value is JSON: calendar dates
 * are YYYY-MM-DD strings, instants are ISO 8601 strings in UTC, money is a
 * string of integer minor units beside the document's currency, and
 * quantities are decimal strings. That keeps the content hash independent of
 * the driver and of the process's time zone.
 */

export interface DocumentParty {
  name: string;
  accountNumber: string | null;
  address: string | null;
  billingEmail: string | null;
  phone: string | null;
}

export interface DocumentSite {
  name: string;
  /** Street, city, region and postal code on one line. */
  address: string;
}

/** Fields every kind carries: the tenant's formatting settings and the number printed on each page. */
interface DocumentBase {
  locale: string;
  timeZone: string;
  documentNumber: string;
  company: DocumentParty;
}

export type Severity = (typeof SEVERITIES)[number];

export interface FindingEntry {
  location: string;
  description: string;
  recommendation: string | null;
  codeReference: string | null;
  status: string;
  isDeficiency: boolean;
  equipmentName: string | null;
}

export interface FindingGroup {
  severity: Severity;
  count: number;
  findings: FindingEntry[];
}

export interface InspectedEquipment {
  name: string;
  category: string;
  serialNumber: string | null;
  location: string | null;
  result: 'pass' | 'deficiencies' | 'fail';
  notes: string | null;
}

export interface InspectionReportData extends DocumentBase {
  kind: 'inspection-report';
  number: string;
  title: string;
  inspectionType: string;
  inspectedOn: string;
  inspectorName: string;
  result: 'pass' | 'deficiencies' | 'fail';
  summary: string | null;
  site: DocumentSite;
  /** All four severities, most serious first, including empty ones. */
  findingGroups: FindingGroup[];
  equipment: InspectedEquipment[];
  totals: {
    findings: number;
    deficiencies: number;
    equipmentInspected: number;
    equipmentPassed: number;
    equipmentWithDeficiencies: number;
    equipmentFailed: number;
  };
}

export interface PricedLine {
  description: string;
  quantity: string;
  unitPriceMinor: string;
  amountMinor: string;
}

export interface InvoicePayment {
  paidOn: string;
  amountMinor: string;
  method: string;
  reference: string | null;
}

export interface InvoiceData extends DocumentBase {
  kind: 'invoice';
  number: string;
  issuedOn: string;
  dueOn: string;
  status: 'open' | 'paid' | 'void';
  /** Open and past its due date in the tenant's time zone when the data was loaded. */
  isOverdue: boolean;
  currency: string;
  subtotalMinor: string;
  taxMinor: string;
  totalMinor: string;
  amountPaidMinor: string;
  balanceMinor: string;
  notes: string | null;
  site: DocumentSite | null;
  lines: PricedLine[];
  payments: InvoicePayment[];
}

export interface ProposalLine extends PricedLine {
  isOptional: boolean;
  /** An optional line the customer chose when accepting. */
  isChosen: boolean;
}

/** A customer's response to a proposal, as the PDF prints it. */
export interface ProposalResponse {
  name: string | null;
  respondedAt: string | null;
  reason: string | null;
  /** SHA-256 of the proposal as the customer saw it when responding; null for responses recorded by staff. */
  fingerprint: string | null;
  /** Totals with the chosen optional lines, for an acceptance. */
  acceptedTotals: { subtotalMinor: string; taxMinor: string; totalMinor: string } | null;
}

export interface ProposalData extends DocumentBase {
  kind: 'proposal';
  number: string;
  title: string;
  summary: string | null;
  issuedOn: string;
  validUntil: string;
  /** The stored status, except that a sent proposal past its validity date reads 'expired'. */
  status: 'sent' | 'accepted' | 'declined' | 'expired';
  currency: string;
  /** Totals of the required lines. Optional lines are not included. */
  subtotalMinor: string;
  taxMinor: string;
  totalMinor: string;
  optionalTotalMinor: string;
  terms: string | null;
  site: DocumentSite | null;
  lines: ProposalLine[];
  response: ProposalResponse | null;
}

export interface ContractData extends DocumentBase {
  kind: 'contract';
  number: string;
  title: string;
  startsOn: string;
  endsOn: string;
  termMonths: number;
  valueMinor: string;
  currency: string;
  billingFrequency: string;
  status: string;
  autoRenew: boolean;
  /** Scope of work and coverage, as written by staff. */
  scope: string | null;
  site: DocumentSite | null;
}

export interface WorkOrderData extends DocumentBase {
  kind: 'work-order';
  number: string;
  title: string;
  workType: string;
  priority: string;
  status: string;
  scheduledStart: string;
  scheduledEnd: string | null;
  completedAt: string | null;
  technicianName: string | null;
  serviceDetails: string | null;
  technicianNotes: string | null;
  site: DocumentSite;
  equipment: { name: string; category: string; serialNumber: string | null; location: string | null } | null;
}

export type RequirementStatus = 'overdue' | 'due' | 'upcoming' | 'completed';

export interface RequirementEntry {
  title: string;
  codeReference: string | null;
  authority: string | null;
  frequency: string;
  lastCompletedOn: string | null;
  dueOn: string;
  completedOn: string | null;
  status: RequirementStatus;
}

export type StatusCounts = Record<RequirementStatus, number> & { total: number };

export interface ComplianceSite extends DocumentSite {
  counts: StatusCounts;
  requirements: RequirementEntry[];
}

export interface ComplianceSummaryData extends DocumentBase {
  kind: 'compliance-summary';
  /** Today's date in the tenant's time zone, against which every status was computed. */
  asOf: string;
  dueSoonDays: number;
  counts: StatusCounts;
  sites: ComplianceSite[];
}

export type DocumentData =
  | InspectionReportData
  | InvoiceData
  | ProposalData
  | ContractData
  | WorkOrderData
  | ComplianceSummaryData;
