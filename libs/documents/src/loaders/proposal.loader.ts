import type { SqlExecutor } from '../../../db/src/sql-executor';
import { proposalStatusSql } from '../../../records/src/kinds/proposals.kind';
import type { ProposalData } from '../document-types';
import { isoInstant, loadCompany, LoadContext, minorUnits, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface ProposalRow extends SiteColumns {
  company_id: string;
  number: string;
  title: string;
  summary: string | null;
  issued_on: string;
  valid_until: string;
  status: string;
  effective_status: ProposalData['status'];
  currency: string;
  subtotal_minor: string;
  tax_minor: string;
  total_minor: string;
  terms: string | null;
  responded_at: Date | null;
  response_name: string | null;
  response_reason: string | null;
  response_hash: string | null;
  accepted_line_ids: string[];
  accepted_subtotal_minor: string | null;
  accepted_tax_minor: string | null;
  accepted_total_minor: string | null;
}

interface LineRow {
  id: string;
  description: string;
  quantity: string;
  unit_price_minor: string;
  amount_minor: string;
  is_optional: boolean;
}

/**
 * Loads a shared proposal with its lines. A sent proposal past its validity
 * date in the tenant's time zone reads as expired, as in the portal.
 */
export async function loadProposal(db: SqlExecutor, id: string, context: LoadContext): Promise<ProposalData | null> {
  const [proposal] = await db.execute<ProposalRow[]>(
    `SELECT r.company_id, r.number, r.title, r.summary, r.issued_on, r.valid_until, r.status, r.currency,
        r.subtotal_minor, r.tax_minor, r.total_minor, r.terms, r.responded_at, r.response_name, r.response_reason,
        r.response_hash, r.accepted_line_ids, r.accepted_subtotal_minor, r.accepted_tax_minor, r.accepted_total_minor,
        ${SITE_COLUMNS}, ${proposalStatusSql('d.today')} AS effective_status
     FROM proposals r
     CROSS JOIN (SELECT ?::date AS today) d
     LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     WHERE r.id = ? AND r.shared_at IS NOT NULL`,
    [context.today, id],
  );
  if (!proposal) return null;
  const company = await loadCompany(db, proposal.company_id);
  if (!company) return null;

  const lines = await db.execute<LineRow[]>(
    `SELECT id, description, quantity, unit_price_minor, amount_minor, is_optional
     FROM proposal_lines WHERE proposal_id = ? ORDER BY position, id`,
    [id],
  );
  const optionalTotal = lines
    .filter((line) => line.is_optional)
    .reduce((sum, line) => sum + BigInt(line.amount_minor), 0n);
  const answered = proposal.status === 'accepted' || proposal.status === 'declined';
  const chosen = new Set(proposal.accepted_line_ids ?? []);
  const accepted = proposal.status === 'accepted' && proposal.accepted_total_minor !== null;

  return {
    kind: 'proposal',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: proposal.number,
    company,
    number: proposal.number,
    title: proposal.title,
    summary: proposal.summary,
    issuedOn: proposal.issued_on,
    validUntil: proposal.valid_until,
    status: proposal.effective_status,
    currency: proposal.currency,
    subtotalMinor: minorUnits(proposal.subtotal_minor),
    taxMinor: minorUnits(proposal.tax_minor),
    totalMinor: minorUnits(proposal.total_minor),
    optionalTotalMinor: optionalTotal.toString(),
    terms: proposal.terms,
    site: siteFrom(proposal),
    lines: lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitPriceMinor: minorUnits(line.unit_price_minor),
      amountMinor: minorUnits(line.amount_minor),
      isOptional: line.is_optional,
      isChosen: line.is_optional && chosen.has(line.id),
    })),
    response: answered
      ? {
          name: proposal.response_name,
          respondedAt: isoInstant(proposal.responded_at),
          reason: proposal.response_reason,
          fingerprint: proposal.response_hash,
          acceptedTotals: accepted
            ? {
                subtotalMinor: minorUnits(proposal.accepted_subtotal_minor!),
                taxMinor: minorUnits(proposal.accepted_tax_minor!),
                totalMinor: minorUnits(proposal.accepted_total_minor!),
              }
            : null,
        }
      : null,
  };
}
