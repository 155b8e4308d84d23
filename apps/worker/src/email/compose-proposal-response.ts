import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { formatterFor } from '../../../../libs/locale/src';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface AnsweredProposal {
  number: string;
  title: string;
  status: string;
  currency: string;
  company_name: string;
  response_name: string | null;
  response_reason: string | null;
  responded_at: Date;
  responder_email: string | null;
  accepted_total_minor: string | null;
  chosen_lines: string[];
}

/** Fields of the proposal-responded template, or the reason the email is cancelled. */
export type ProposalResponseEmail = { subject: string; fields: Record<string, unknown> } | { cancel: string };

/**
 * Composes the staff notice of a customer's response from the proposal as it
 * is stored now, read as staff of the delivery's tenant. A proposal that
 * was deleted, or whose response staff have since changed, gets no email.
 */
export async function composeProposalResponse(
  db: SqlExecutor,
  details: Record<string, unknown>,
  brand: { locale: string; time_zone: string },
  consoleUrl: string,
): Promise<ProposalResponseEmail> {
  const proposalId = String(details.proposalId);
  if (!UUID.test(proposalId)) return { cancel: 'the delivery names no proposal' };

  const [proposal] = await db.execute<AnsweredProposal[]>(
    `SELECT p.number, p.title, p.status, p.currency, c.name AS company_name, p.response_name, p.response_reason,
        p.responded_at, u.email AS responder_email, p.accepted_total_minor,
        ARRAY(SELECT l.description FROM proposal_lines l
              WHERE l.tenant_id = p.tenant_id AND l.proposal_id = p.id AND l.id = ANY (p.accepted_line_ids)
              ORDER BY l.position, l.id) AS chosen_lines
     FROM proposals p
     JOIN customer_companies c ON c.tenant_id = p.tenant_id AND c.id = p.company_id
     LEFT JOIN portal_users u ON u.tenant_id = p.tenant_id AND u.id = p.responded_by_user_id
     WHERE p.id = ?`,
    [proposalId],
  );
  if (!proposal) return { cancel: 'the proposal no longer exists' };
  if (proposal.status !== details.decision) return { cancel: 'the proposal no longer has this answer' };

  const format = formatterFor(brand.locale, brand.time_zone);
  const accepted = proposal.status === 'accepted';
  const responder = proposal.response_name ?? proposal.responder_email ?? 'a portal user';
  return {
    subject: `Proposal ${proposal.number} ${proposal.status} by ${responder}, ${proposal.company_name}`,
    fields: {
      accepted,
      number: proposal.number,
      title: proposal.title,
      companyName: proposal.company_name,
      signer: proposal.response_name,
      responderEmail: proposal.responder_email,
      respondedAt: format.dateTime(proposal.responded_at),
      acceptedTotal: proposal.accepted_total_minor ? format.money(proposal.accepted_total_minor, proposal.currency) : null,
      chosenLines: proposal.chosen_lines,
      reason: proposal.response_reason,
      url: `${consoleUrl}/records/proposals/${proposalId}`,
    },
  };
}
