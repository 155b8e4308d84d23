import { createHash } from 'node:crypto';

/** The columns of a proposal that its page and PDF show, as the driver returns them. */
export interface ProposalTerms {
  number: unknown;
  title: unknown;
  summary: unknown;
  issued_on: unknown;
  valid_until: unknown;
  currency: unknown;
  subtotal_minor: unknown;
  tax_minor: unknown;
  total_minor: unknown;
  terms: unknown;
  site_name?: unknown;
}

export interface ProposalTermsLine {
  id: unknown;
  description: unknown;
  quantity: unknown;
  unit_price_minor: unknown;
  amount_minor: unknown;
  is_optional: unknown;
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * Returns the SHA-256 (hex) of what a customer reads when answering a
 * proposal: its numbers, dates, texts and every line. The page carries the
 * value it was rendered with, and an answer is accepted only while the
 * stored proposal still has the same value, so staff cannot change the
 * terms between the customer reading them and signing.
 */
export function proposalFingerprint(proposal: ProposalTerms, lines: ProposalTermsLine[]): string {
  const shown = {
    number: text(proposal.number),
    title: text(proposal.title),
    summary: text(proposal.summary),
    issuedOn: text(proposal.issued_on),
    validUntil: text(proposal.valid_until),
    currency: text(proposal.currency),
    subtotalMinor: text(proposal.subtotal_minor),
    taxMinor: text(proposal.tax_minor),
    totalMinor: text(proposal.total_minor),
    terms: text(proposal.terms),
    site: text(proposal.site_name),
    lines: lines.map((line) => ({
      id: text(line.id),
      description: text(line.description),
      quantity: text(line.quantity),
      unitPriceMinor: text(line.unit_price_minor),
      amountMinor: text(line.amount_minor),
      optional: line.is_optional === true,
    })),
  };
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex');
}
