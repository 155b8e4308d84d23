import { Body, Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { DomainError, NotFoundError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RecordsService } from '../../../../libs/records/src/records.service';
import { AnswerFormValues, parseAnswer } from './proposal-answer';
import { AnswerOutcome, ProposalResponsesService } from './proposal-responses.service';

const REJECTION_MESSAGES: Record<Exclude<AnswerOutcome['outcome'], 'recorded'>, (outcome: AnswerOutcome) => string> = {
  'already-answered': (outcome) =>
    `Proposal ${outcome.number} was already ${'status' in outcome ? outcome.status : 'answered'}, so your answer was not recorded and nothing changed.`,
  expired: (outcome) => `Proposal ${outcome.number} is no longer open, so it cannot be answered. Ask for a new proposal.`,
  changed: (outcome) =>
    `Proposal ${outcome.number} changed after you opened it, so your answer was not recorded. Review the proposal below and answer again.`,
};

/** Notice for the page after a recorded response, shown only while the proposal has that response. */
export function answeredNotice(done: unknown, record: Record<string, unknown>): string | undefined {
  if (done === 'accepted' && record.status === 'accepted') return `You accepted proposal ${record.number}. Thank you.`;
  if (done === 'declined' && record.status === 'declined') return `You declined proposal ${record.number}.`;
  return undefined;
}

/**
 * Accept and decline forms of the proposal page. A recorded response
 * redirects back to the proposal. A rejected one shows the proposal as it
 * is now, with the reason, and writes nothing.
 */
@Controller('proposals')
export class ProposalResponsesController {
  constructor(
    private readonly responses: ProposalResponsesService,
    private readonly records: RecordsService,
  ) {}

  @Post(':id/accept')
  accept(@Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.answer('accepted', id, body, req, res);
  }

  @Post(':id/decline')
  decline(@Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.answer('declined', id, body, req, res);
  }

  private async answer(
    decision: 'accepted' | 'declined',
    id: string,
    body: Record<string, unknown>,
    req: Request,
    res: Response,
  ): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('proposal');
    const parsed = parseAnswer(decision, body ?? {});
    if (!parsed.ok) return this.showProposal(res, id, HttpStatus.BAD_REQUEST, { decision, errors: parsed.errors, values: parsed.values });

    let outcome: AnswerOutcome;
    try {
      outcome = await this.responses.answer(id, parsed.answer, originOf(req));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_input') {
        return this.showProposal(res, id, HttpStatus.BAD_REQUEST, { decision, errors: error.details, values: parsed.values });
      }
      throw error;
    }

    if (outcome.outcome === 'recorded') {
      res.redirect(HttpStatus.SEE_OTHER, `/proposals/${id}?done=${outcome.status}`);
      return;
    }
    const status = outcome.outcome === 'expired' ? HttpStatus.GONE : HttpStatus.CONFLICT;
    return this.showProposal(res, id, status, { rejection: REJECTION_MESSAGES[outcome.outcome](outcome) });
  }

  private async showProposal(
    res: Response,
    id: string,
    status: number,
    form: { decision?: string; errors?: Record<string, string>; values?: AnswerFormValues; rejection?: string },
  ): Promise<void> {
    const kind = this.records.kind('proposals');
    const record = await this.records.detail(kind, id);
    const errors = Object.entries(form.errors ?? {}).map(([field, problem]) => ({ field, problem }));
    res.status(status).render('records/proposals-detail', {
      title: kind.singular,
      section: kind.slug,
      kind,
      record,
      rejection: form.rejection,
      answerErrors: errors,
      errorFor: form.errors ?? {},
      answering: form.decision,
      values: form.values,
    });
  }
}
