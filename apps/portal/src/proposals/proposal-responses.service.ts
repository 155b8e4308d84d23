import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { inetOrNull, recordPortalUserActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DocumentRequest, prepareDocument } from '../../../../libs/documents/src/prepared-document';
import { queueDocumentRender } from '../../../../libs/documents/src/render-queue';
import { InvalidInputError, NotFoundError } from '../../../../libs/observability/src/errors';
import { EmailOutbox } from '../../../../libs/queue/src/email-outbox';
import { RecordedWebhookEvent, WebhookOutbox } from '../../../../libs/queue/src/webhook-outbox';
import { DOCUMENT_QUEUE, DocumentJob } from '../../../../libs/queue/src/queues';
import { proposalsKind } from '../../../../libs/records/src/kinds/proposals.kind';
import { RecordsService } from '../../../../libs/records/src/records.service';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import type { ProposalAnswer } from './proposal-answer';

/** Outcome of a response. Only 'recorded' changed anything. */
export type AnswerOutcome =
  | { outcome: 'recorded'; status: 'accepted' | 'declined'; number: string }
  | { outcome: 'already-answered'; status: string; number: string }
  | { outcome: 'expired'; number: string }
  | { outcome: 'changed'; number: string };

interface AnsweredRow {
  number: string;
  status: 'accepted' | 'declined';
  company_id: string;
  responded_by_user_id: string;
  // MikroORM's connection returns timestamps as text, not Date objects.
  responded_at: string;
  accepted_total_minor: string | null;
  currency: string;
}

/** Emails and webhook event the staff step recorded, for queueing after commit. */
interface Consequences {
  deliveryIds: string[];
  webhook: RecordedWebhookEvent | null;
}

/**
 * Records a portal user's acceptance or decline of a proposal. The
 * response, the activity entry, the staff emails and the webhook event
 * commit together. The
 * database rejects a second response, an expired proposal and another
 * company's proposal.
 */
@Injectable()
export class ProposalResponsesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly records: RecordsService,
    private readonly outbox: EmailOutbox,
    private readonly webhooks: WebhookOutbox,
    @InjectQueue(DOCUMENT_QUEUE) private readonly documents: Queue<DocumentJob>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ProposalResponsesService.name);
  }

  async answer(proposalId: string, answer: ProposalAnswer, origin: RequestOrigin): Promise<AnswerOutcome> {
    const principal = this.scope.principal();
    const { result, followUp: consequences } = await this.db.asCustomerThenStaff(
      (db) => this.recordAnswer(db, proposalId, answer, origin),
      async (db, outcome): Promise<Consequences> =>
        outcome.kind === 'recorded' ? this.recordConsequences(db, proposalId, outcome.row) : { deliveryIds: [], webhook: null },
    );
    if (result.kind !== 'recorded') return result.outcome;

    this.logger.info(
      { tenantId: principal.tenantId, proposalId, decision: answer.decision, userId: principal.userId },
      'proposal answered',
    );
    await this.afterCommit(principal.tenantId, consequences, {
      tenantId: principal.tenantId,
      companyId: principal.companyId,
      kind: 'proposal',
      recordId: proposalId,
    });
    return { outcome: 'recorded', status: answer.decision, number: result.row.number };
  }

  private async recordAnswer(
    db: SqlExecutor,
    proposalId: string,
    answer: ProposalAnswer,
    origin: RequestOrigin,
  ): Promise<{ kind: 'recorded'; row: AnsweredRow } | { kind: 'rejected'; outcome: AnswerOutcome }> {
    // Locks the row while it is still open to this customer, so a staff edit
    // cannot commit between the fingerprint check and the UPDATE below. Line
    // edits take the same lock through a trigger. An answered, expired or
    // hidden proposal returns no row here, and the code below reports which it is.
    await db.execute('SELECT id FROM proposals WHERE id = ? FOR UPDATE', [proposalId]);
    const proposal = await proposalsKind.detail(db, proposalId, this.records.queryContext());
    if (!proposal) throw new NotFoundError('proposal');
    const number = String(proposal.number);
    const rejected = (outcome: AnswerOutcome) => ({ kind: 'rejected' as const, outcome });

    if (proposal.hasResponse) return rejected({ outcome: 'already-answered', status: String(proposal.status), number });
    if (!proposal.isOpen) return rejected({ outcome: 'expired', number });
    if (proposal.fingerprint !== answer.fingerprint) return rejected({ outcome: 'changed', number });
    if (answer.decision === 'accepted') {
      const optional = new Set((proposal.optionalLines as Array<{ id: string }>).map((line) => line.id));
      if (!answer.optionalLineIds.every((id) => optional.has(id))) {
        throw new InvalidInputError({ optionalLines: 'must name optional lines of this proposal' });
      }
    }

    const accepted = answer.decision === 'accepted';
    const [row] = await db.execute<AnsweredRow[]>(
      `UPDATE proposals SET status = ?, responded_at = now(), responded_by_user_id = (SELECT app_current_user_id()),
         response_name = coalesce(?, (SELECT name FROM portal_users WHERE id = (SELECT app_current_user_id()))),
         response_reason = ?, response_ip = ?::inet, response_user_agent = ?, response_hash = ?,
         accepted_line_ids = ?::uuid[], updated_at = now()
       WHERE id = ?
       RETURNING number, status, company_id, responded_by_user_id, responded_at, accepted_total_minor, currency`,
      [
        answer.decision,
        accepted ? answer.signerName : null,
        accepted ? null : answer.reason,
        inetOrNull(origin.ip),
        origin.userAgent?.slice(0, 512) ?? null,
        answer.fingerprint,
        accepted ? answer.optionalLineIds : [],
        proposalId,
      ],
    );
    // Nothing updated: another response committed first, or the proposal expired at midnight.
    if (!row) return this.explainRejection(db, proposalId);

    await recordPortalUserActivity(
      db,
      {
        action: `proposal.${answer.decision}`,
        subjectType: 'proposals',
        subjectId: proposalId,
        details: { number: row.number, acceptedTotalMinor: row.accepted_total_minor, currency: row.currency },
      },
      origin,
    );
    return { kind: 'recorded', row };
  }

  private async explainRejection(db: SqlExecutor, proposalId: string) {
    const current = await proposalsKind.detail(db, proposalId, this.records.queryContext());
    if (!current) throw new NotFoundError('proposal');
    const number = String(current.number);
    const outcome: AnswerOutcome = current.hasResponse
      ? { outcome: 'already-answered', status: String(current.status), number }
      : { outcome: 'expired', number };
    return { kind: 'rejected' as const, outcome };
  }

  /** Runs as staff: one email to every active owner and admin of the tenant, and the webhook event. */
  private async recordConsequences(db: SqlExecutor, proposalId: string, row: AnsweredRow): Promise<Consequences> {
    const staff = await db.execute<Array<{ email: string }>>(
      `SELECT email FROM staff_users WHERE status = 'active' AND role IN ('owner', 'admin') ORDER BY email`,
    );
    const deliveryIds = await this.outbox.record(
      db,
      staff.map(({ email }) => ({
        kind: 'proposal_responded' as const,
        recipient: email,
        details: { proposalId, decision: row.status },
      })),
    );
    const webhook = await this.webhooks.record(db, {
      type: row.status === 'accepted' ? 'proposal.accepted' : 'proposal.declined',
      data: {
        proposal_id: proposalId,
        number: row.number,
        company_id: row.company_id,
        portal_user_id: row.responded_by_user_id,
        responded_at: new Date(row.responded_at).toISOString(),
        accepted_total_minor: row.accepted_total_minor,
        currency: row.currency,
      },
    });
    return { deliveryIds, webhook };
  }

  /**
   * Hands the emails and webhook deliveries to the worker and queues the
   * proposal's new PDF. The response is already committed, so a failure here
   * is only logged, and the sweeps and the portal's own render on download
   * catch up.
   */
  private async afterCommit(tenantId: string, consequences: Consequences, document: DocumentRequest): Promise<void> {
    try {
      await this.outbox.dispatch(tenantId, consequences.deliveryIds);
      if (consequences.webhook) await this.webhooks.dispatch(tenantId, consequences.webhook);
    } catch (error) {
      this.logger.error({ err: error, tenantId, proposalId: document.recordId }, 'staff emails or webhooks not queued');
    }
    try {
      const prepared = await this.db.asCustomer((db) => prepareDocument(db, document));
      if (prepared) {
        const requester = `answer-${this.scope.principal().userId}`;
        await queueDocumentRender(this.documents, this.redis, document, prepared.jobId, requester, this.config.DOCUMENT_RENDERS_PER_MINUTE);
      }
    } catch (error) {
      this.logger.error({ err: error, tenantId, proposalId: document.recordId }, 'PDF of the answered proposal not queued');
    }
  }
}
