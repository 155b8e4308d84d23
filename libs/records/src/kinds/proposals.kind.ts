import { proposalFingerprint, ProposalTerms, ProposalTermsLine } from '../proposals/proposal-fingerprint';
import { RecordKind } from '../record-kind';

/** Builds the SQL for a proposal's status. A sent proposal past its validity date counts as expired. */
export function proposalStatusSql(today: string): string {
  return `CASE WHEN r.status = 'sent' AND r.valid_until < ${today} THEN 'expired' ELSE r.status END`;
}

export const proposalsKind: RecordKind = {
  slug: 'proposals',
  title: 'Proposals',
  singular: 'Proposal',
  emptyMessage: 'No proposals have been shared with you yet.',
  // An accepted proposal lists the total the customer accepted, with the optional lines they chose.
  select: `SELECT r.id, r.number, r.title, r.issued_on, r.valid_until, r.currency,
      coalesce(r.accepted_total_minor, r.total_minor) AS total_minor,
      s.name AS site_name, ${proposalStatusSql(':today')} AS effective_status
    FROM proposals r LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'issued_on',
  sortType: 'date',
  direction: 'desc',
  filters: {
    open: { label: 'Open', where: "r.status = 'sent' AND r.valid_until >= :today" },
    accepted: { label: 'Accepted', where: "r.status = 'accepted'" },
    declined: { label: 'Declined', where: "r.status = 'declined'" },
    expired: { label: 'Expired', where: "r.status = 'expired' OR (r.status = 'sent' AND r.valid_until < :today)" },
  },
  async detail(db, id, context) {
    const [proposal] = await db.execute<Array<ProposalTerms & Record<string, unknown>>>(
      `SELECT r.id, r.number, r.title, r.summary, r.issued_on, r.valid_until, r.status, r.currency,
          r.subtotal_minor, r.tax_minor, r.total_minor, r.terms, r.responded_at, r.response_name, r.response_reason,
          r.accepted_line_ids, r.accepted_subtotal_minor, r.accepted_tax_minor, r.accepted_total_minor, r.response_hash,
          s.name AS site_name, s.address_line1, s.city, ${proposalStatusSql('d.today')} AS effective_status
       FROM proposals r
       CROSS JOIN (SELECT ?::date AS today) d
       LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ?`,
      [context.today, id],
    );
    if (!proposal) return null;
    const lines = await db.execute<Array<ProposalTermsLine & Record<string, unknown>>>(
      'SELECT * FROM proposal_lines WHERE proposal_id = ? ORDER BY position, id',
      [id],
    );
    const chosen = new Set((proposal.accepted_line_ids as string[] | null) ?? []);
    return {
      ...proposal,
      lines: lines.map((line) => ({ ...line, is_chosen: chosen.has(String(line.id)) })),
      optionalLines: lines.filter((line) => line.is_optional),
      hasOptionalLines: lines.some((line) => line.is_optional),
      fingerprint: proposalFingerprint(proposal, lines),
      isOpen: proposal.effective_status === 'sent',
      hasResponse: proposal.status === 'accepted' || proposal.status === 'declined',
    };
  },
};
