/** A record kind that PDFs can be attached to. Every name here is a constant, so SQL built from it carries no request text. */
export interface AttachmentParent {
  /** Record kind slug, the same in console and portal URLs and in storage keys. */
  slug: string;
  /** The parent record's table. */
  table: string;
  /** Column of record_attachments that references the parent. */
  column: 'contract_id' | 'compliance_document_id';
  /** Lowercase singular for messages, such as "contract". */
  singular: string;
}

const PARENTS: readonly AttachmentParent[] = [
  { slug: 'contracts', table: 'contracts', column: 'contract_id', singular: 'contract' },
  {
    slug: 'compliance-documents',
    table: 'compliance_documents',
    column: 'compliance_document_id',
    singular: 'compliance document',
  },
];

/** Slugs of the record kinds that take attachments. */
export const ATTACHMENT_PARENT_SLUGS = PARENTS.map((parent) => parent.slug);

/** Returns the attachment parent with this slug, or undefined for any other record kind. */
export function attachmentParentOf(slug: string): AttachmentParent | undefined {
  return PARENTS.find((parent) => parent.slug === slug);
}
