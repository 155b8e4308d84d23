/** The printable document kinds. Each names one record, except the compliance summary, which names a customer company. */
export const DOCUMENT_KINDS = [
  'inspection-report',
  'invoice',
  'proposal',
  'contract',
  'work-order',
  'compliance-summary',
] as const;

export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Version of each kind's print template. Raise a kind's number whenever its
 * template or the shared layout changes what a printed page shows, so stored
 * PDFs keyed by it are rendered again.
 */
export const TEMPLATE_VERSION: Readonly<Record<DocumentKind, number>> = Object.freeze({
  'inspection-report': 1,
  invoice: 1,
  proposal: 2,
  contract: 1,
  'work-order': 1,
  'compliance-summary': 2,
});

/** Title of each kind as printed on the page and in file names. */
export const DOCUMENT_TITLES: Readonly<Record<DocumentKind, string>> = Object.freeze({
  'inspection-report': 'Inspection report',
  invoice: 'Invoice',
  proposal: 'Proposal',
  contract: 'Contract',
  'work-order': 'Work order',
  'compliance-summary': 'Compliance summary',
});

export function isDocumentKind(value: unknown): value is DocumentKind {
  return typeof value === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(value);
}
